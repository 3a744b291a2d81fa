package gan

import (
	"fmt"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/graphs"
)

// GANOptions configure NewGAN.
type GANOptions struct {
	ImageShape builders.Shape // [height, width, channels] of the real images; nil: the generator's output
	Seed       uint64
	Threads    int
	// Server, if set, makes the GAN one replica of the server's cluster (see replica.go):
	// its session runs on the server, each train step takes the replica's slice of the
	// global batch and all-reduces both networks' gradients and the logs, each collective
	// bounded by CollectiveTimeout (0: distributed.DefaultTimeout). Threads is then the
	// server's.
	Server            *distributed.Server
	CollectiveTimeout time.Duration
	// Autotune chooses the convolutions' kernel forms (graphs.Autotune); nil: the fixed rules.
	Autotune *graphs.Autotune
}

// GAN is a compiled generative adversarial network. Its default train step is the
// assignment's train_step: noise ~ N(0, 1) of [batch, noise_dim]; the generator's images;
// the discriminator on real and generated images; generator loss BCE(1, D(G(z))),
// discriminator loss BCE(1, D(x)) + BCE(0, D(G(z))), both from logits; each loss
// differentiated for its own network's variables only, and two optimizers applied in the
// same step. gan.train_step: alternating makes it Brownlee's three updates in order (see
// configs.TrainStepAlternating).
type GAN struct {
	Config        *configs.GAN
	Generator     *Network
	Discriminator *Network
	GenOpt        graphs.Optimizer
	DiscOpt       graphs.Optimizer

	images, labels       tf.Output // real batch (labels only when conditional)
	genLoss, discLoss    tf.Output
	realAcc, fakeAcc     tf.Output
	step                 []*tf.Operation
	genStep, discStep    *tf.Operation // each optimizer's update alone (tests)
	alternating          *alternatingStep
	noiseIn, sampleLabel tf.Output // inference: given noise (and labels) → images
	samples              tf.Output
	graph                *graphs.Graph
	sess                 *graphs.Session
	rep                  *distributed.Replica // set when training as a replica of a cluster
}

// NewGAN builds the GAN cfg describes and a session with initialised variables.
func NewGAN(cfg *configs.Config, o GANOptions) (*GAN, error) {
	gc := cfg.GAN()
	g := graphs.NewGraph(tf.Float, o.Seed)
	g.SetAutotune(o.Autotune)
	if err := builders.SetPrecision(g, cfg.Precision); err != nil { // precision: Keras's dtype policy
		return nil, assemble.ModelError(err)
	}
	s := g.Root()
	var rep *distributed.Replica
	if o.Server != nil {
		rep = distributed.NewReplica(g, o.Server, o.CollectiveTimeout)
	}
	gen, err := newNetwork("generator", &gc.Generator)
	if err != nil {
		return nil, assemble.ModelError(err)
	}
	disc, err := newNetwork("discriminator", &gc.Discriminator)
	if err != nil {
		return nil, assemble.ModelError(err)
	}
	if gen.Conditional() != gc.Conditional() || disc.Conditional() != gc.Conditional() {
		return nil, assemble.ModelErrorf("gan.num_classes %d, but the generator takes a label %v and the discriminator %v; a conditional GAN's networks both take one (input %q), an unconditional one's neither",
			gc.NumClasses, gen.Conditional(), disc.Conditional(), configs.GANLabelInput)
	}
	if err := gen.Build(s, builders.Shape{gc.NoiseDim}); err != nil {
		return nil, assemble.ModelError(err)
	}
	if o.ImageShape == nil { // generation only: the generator says what it makes
		o.ImageShape = gen.OutputShape()
	}
	if got := gen.OutputShape(); got.String() != o.ImageShape.String() {
		return nil, assemble.ModelErrorf("the generator makes images of shape %v, the data set's are %v", got, o.ImageShape)
	}
	if err := disc.Build(s, o.ImageShape); err != nil {
		return nil, assemble.ModelError(err)
	}
	if got := disc.OutputShape(); len(got) != 1 || got[0] != 1 {
		return nil, assemble.ModelErrorf("the discriminator gives %v, want one logit per image (None, 1)", got)
	}
	m := &GAN{Config: gc, graph: g, Generator: gen, Discriminator: disc, rep: rep}
	m.images = s.Placeholder("images", tf.Float, append([]int64{-1}, o.ImageShape.Int64s()...)...)
	if gc.Conditional() {
		m.labels = s.Placeholder("labels", tf.Int32, -1, 1)
	}

	if m.GenOpt, err = assemble.Optimizer(s.Sub("generator_optimizer"), gc.GeneratorOptimizer); err != nil {
		return nil, err
	}
	if m.DiscOpt, err = assemble.Optimizer(s.Sub("discriminator_optimizer"), gc.DiscriminatorOptimizer); err != nil {
		return nil, err
	}
	if gc.TrainStep == configs.TrainStepAlternating {
		err = m.buildAlternating(s)
	} else {
		err = m.buildSimultaneous(s)
	}
	if err != nil {
		return nil, err
	}

	is := s.Sub("sample")
	m.noiseIn = is.Placeholder("noise", tf.Float, -1, int64(gc.NoiseDim))
	if gc.Conditional() {
		m.sampleLabel = is.Placeholder("labels", tf.Int32, -1, 1)
	}
	m.samples = gen.Call(m.noiseIn, m.sampleLabel, false)
	if err := s.Err(); err != nil {
		return nil, err
	}
	if rep != nil {
		opts, err := o.Server.SessionOptions()
		if err != nil {
			return nil, err
		}
		if m.sess, err = graphs.StartSessionOn(g, opts); err != nil {
			return nil, err
		}
		return m, nil
	}
	threads := graphs.SessionOptions{IntraOpThreads: o.Threads, InterOpThreads: min(o.Threads, 2), ThreadLayouts: true}
	if m.sess, err = graphs.StartSessionWith(g, threads); err != nil {
		return nil, err
	}
	if err := m.chooseThreadLayout(o.ImageShape); err != nil {
		m.sess.Close()
		return nil, err
	}
	return m, nil
}

// Close releases the session; after a failed step of a replica it leaves it to the
// process's exit (closing waits for every run, and a run given up on may never end).
func (m *GAN) Close() error {
	if m.rep != nil && m.rep.Lost() {
		return nil
	}
	return m.sess.Close()
}

// Session is the GAN's session.
func (m *GAN) Session() *graphs.Session { return m.sess }

// Graph is the GAN's graph.
func (m *GAN) Graph() *graphs.Graph { return m.graph }

// Weights are both networks' weights, trainable and not.
func (m *GAN) Weights() []*graphs.Variable {
	return append(m.Generator.Variables(), m.Discriminator.Variables()...)
}

// LearningRate is the generator optimizer's learning rate.
func (m *GAN) LearningRate() (float64, error) { return m.sess.Scalar(m.GenOpt.LearningRate()) }

// SetLearningRate sets the generator optimizer's learning rate to lr and scales the
// discriminator's by the same factor, so that ReduceLROnPlateau keeps their ratio.
func (m *GAN) SetLearningRate(lr float64) error {
	out, err := m.sess.Get(m.GenOpt.LearningRate(), m.DiscOpt.LearningRate())
	if err != nil {
		return err
	}
	gen, disc := graphs.Scalar64(out[0]), graphs.Scalar64(out[1])
	if err := m.sess.SetScalar(m.GenOpt.LearningRate(), lr); err != nil {
		return err
	}
	if gen == 0 {
		return m.sess.SetScalar(m.DiscOpt.LearningRate(), lr)
	}
	return m.sess.SetScalar(m.DiscOpt.LearningRate(), disc*lr/gen)
}

// learningRates are both optimizers' learning rates, as the logs name them.
func (m *GAN) learningRates() (map[string]float64, error) {
	out, err := m.sess.Get(m.GenOpt.LearningRate(), m.DiscOpt.LearningRate())
	if err != nil {
		return nil, err
	}
	return map[string]float64{"gen_learning_rate": graphs.Scalar64(out[0]), "disc_learning_rate": graphs.Scalar64(out[1])}, nil
}

// StepResult is one train step's metrics: gen_loss, disc_loss, real_accuracy and
// fake_accuracy.
type StepResult struct {
	GenLoss, DiscLoss, RealAccuracy, FakeAccuracy float64
}

// TrainStep runs one train step on a batch of real images (NHWC float32 in [-1, 1]) and,
// for a conditional GAN, their labels (int32 [batch, 1]; nil otherwise).
func (m *GAN) TrainStep(images, labels *tf.Tensor) (StepResult, error) {
	return m.trainStep(map[tf.Output]*tf.Tensor{}, images, labels)
}

// trainStep is TrainStep with further feeds (a replica's place in the global batch).
func (m *GAN) trainStep(feeds map[tf.Output]*tf.Tensor, images, labels *tf.Tensor) (StepResult, error) {
	feeds[m.images] = images
	if m.Config.Conditional() {
		if labels == nil {
			return StepResult{}, fmt.Errorf("train step: a conditional GAN needs labels")
		}
		feeds[m.labels] = labels
	}
	if m.alternating != nil {
		return m.trainAlternating(feeds)
	}
	out, err := m.run(feeds, []tf.Output{m.genLoss, m.discLoss, m.realAcc, m.fakeAcc}, m.step...)
	if err != nil {
		return StepResult{}, fmt.Errorf("train step: %w", err)
	}
	return StepResult{graphs.Scalar64(out[0]), graphs.Scalar64(out[1]), graphs.Scalar64(out[2]), graphs.Scalar64(out[3])}, nil
}

// Generate runs the generator in inference mode on noise [n, noise_dim] (and labels [n]
// for a conditional GAN) and returns the images, NHWC.
func (m *GAN) Generate(noise []float32, labels []int32) ([]float32, error) {
	n := len(noise) / m.Config.NoiseDim
	nt, err := graphs.NewTensor(noise, int64(n), int64(m.Config.NoiseDim))
	if err != nil {
		return nil, err
	}
	feeds := map[tf.Output]*tf.Tensor{m.noiseIn: nt}
	if m.Config.Conditional() {
		lt, err := graphs.NewTensor(labels, int64(n), 1)
		if err != nil {
			return nil, err
		}
		feeds[m.sampleLabel] = lt
	}
	out, err := m.sess.Run(feeds, []tf.Output{m.samples})
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	v, _ := graphs.Flat(out[0]).([]float32)
	return v, nil
}

// Variables are every variable a checkpoint of the GAN holds: both networks, both
// optimizers and the step counter.
func (m *GAN) Variables() []*graphs.Variable {
	vs := append(m.Generator.Variables(), m.Discriminator.Variables()...)
	vs = append(vs, m.GenOpt.Variables()...)
	vs = append(vs, m.DiscOpt.Variables()...)
	return append(vs, m.graph.StepCounter())
}
