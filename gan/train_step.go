package gan

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// The two GAN train steps (configs.TrainStepSimultaneous and configs.TrainStepAlternating).
// Both feed the real batch through m.images (and m.labels), report the same four metrics
// and advance the step counter once per batch, so checkpoints and resume treat them alike.

// buildSimultaneous builds the assignment's train_step: one forward pass, both losses
// differentiated for their own network's variables, both optimizers applied in one run.
func (m *GAN) buildSimultaneous(s *graphs.Scope) error {
	gc := m.Config
	ts := s.Sub("train_step")
	batch := batchSize(ts, m.images)
	noise := ts.RandomNormal(noiseShape(ts, batch, gc.NoiseDim))
	fake := m.Generator.Call(noise, m.labels, true)
	if err := s.Err(); err != nil {
		return assemble.ModelErrorf("the generator: %w", err)
	}
	realOut := m.Discriminator.Call(m.images, m.labels, true)
	fakeOut := m.Discriminator.Call(fake, m.labels, true)
	if err := s.Err(); err != nil {
		return assemble.ModelErrorf("the discriminator: %w", err)
	}
	m.genLoss = ganLoss(ts, fakeOut, 1)
	m.discLoss = op.AddV2(ts.Op("AddV2"), ganLoss(ts, realOut, 1), ganLoss(ts, fakeOut, 0))
	m.realAcc, m.fakeAcc = ganAccuracy(ts, realOut, true), ganAccuracy(ts, fakeOut, false)
	minimized, logs := m.reduced(ts, m.genLoss, m.discLoss, m.realAcc, m.fakeAcc)
	m.genLoss, m.discLoss, m.realAcc, m.fakeAcc = logs[0], logs[1], logs[2], logs[3]

	gstep, err := m.GenOpt.Minimize(s, minimized[0], m.Generator.TrainableVariables())
	if err != nil {
		return fmt.Errorf("generator: %w", err)
	}
	dstep, err := m.DiscOpt.Minimize(s, minimized[1], m.Discriminator.TrainableVariables())
	if err != nil {
		return fmt.Errorf("discriminator: %w", err)
	}
	m.genStep, m.discStep = gstep, dstep
	updates := append(append(m.Generator.Updates(), m.Discriminator.Updates()...), gstep, dstep)
	m.step = append(updates, s.AdvanceStep(updates...))
	return nil
}

// alternatingStep is the three runs of configs.TrainStepAlternating, in order.
type alternatingStep struct {
	real, fake, gen             []*tf.Operation // the targets of each run
	realLoss, fakeLoss, genLoss tf.Output
	realAcc, fakeAcc            tf.Output
}

// buildAlternating builds Brownlee's conditional-GAN loop as three runs, each seeing the
// variables the previous one left: the discriminator's update on the real batch (target
// 1), its update on as many generated images (target 0), and the generator's update on
// as many fresh noise vectors (target 1). For a conditional GAN the generated images of
// both later runs are drawn for uniformly random classes, not the real batch's. The
// generator's BatchNormalization statistics move in its own update only; a discriminator
// with BatchNormalization is refused (its three training calls would chain their updates
// across runs).
func (m *GAN) buildAlternating(s *graphs.Scope) error {
	gc := m.Config
	for _, l := range m.Discriminator.AllLayers() {
		if _, ok := l.(*builders.BatchNormalization); ok {
			return assemble.ModelErrorf("gan.train_step %s: the discriminator has BatchNormalization; use %s",
				configs.TrainStepAlternating, configs.TrainStepSimultaneous)
		}
	}
	a := &alternatingStep{}
	ts := s.Sub("train_step")
	batch := batchSize(ts, m.images)

	// The generator's own update first in the graph, so that its BatchNormalization
	// updates are the first in each layer's chain and need nothing of the other calls.
	gs := ts.Sub("generator_update")
	genLabels := m.randomLabels(gs, batch)
	genOut := m.Discriminator.Call(m.Generator.Call(gs.RandomNormal(noiseShape(gs, batch, gc.NoiseDim)), genLabels, true), genLabels, true)
	genUpdates := m.Generator.Updates()
	if err := s.Err(); err != nil {
		return assemble.ModelErrorf("the generator: %w", err)
	}
	a.genLoss = ganLoss(gs, genOut, 1)
	genMin, genLogs := m.reduced(gs, a.genLoss)
	a.genLoss = genLogs[0]

	rs := ts.Sub("discriminator_real")
	realOut := m.Discriminator.Call(m.images, m.labels, true)
	a.realLoss, a.realAcc = ganLoss(rs, realOut, 1), ganAccuracy(rs, realOut, true)
	realMin, realLogs := m.reduced(rs, a.realLoss, a.realAcc)
	a.realLoss, a.realAcc = realLogs[0], realLogs[1]

	fs := ts.Sub("discriminator_fake")
	fakeLabels := m.randomLabels(fs, batch)
	fake := m.Generator.Call(fs.RandomNormal(noiseShape(fs, batch, gc.NoiseDim)), fakeLabels, true)
	fakeOut := m.Discriminator.Call(fake, fakeLabels, true)
	if err := s.Err(); err != nil {
		return assemble.ModelErrorf("the discriminator: %w", err)
	}
	a.fakeLoss, a.fakeAcc = ganLoss(fs, fakeOut, 0), ganAccuracy(fs, fakeOut, false)
	fakeMin, fakeLogs := m.reduced(fs, a.fakeLoss, a.fakeAcc)
	a.fakeLoss, a.fakeAcc = fakeLogs[0], fakeLogs[1]

	dvars := m.Discriminator.TrainableVariables()
	realStep, err := m.DiscOpt.Minimize(s, realMin[0], dvars)
	if err != nil {
		return fmt.Errorf("discriminator: %w", err)
	}
	fakeStep, err := m.DiscOpt.Minimize(s, fakeMin[0], dvars)
	if err != nil {
		return fmt.Errorf("discriminator: %w", err)
	}
	genStep, err := m.GenOpt.Minimize(s, genMin[0], m.Generator.TrainableVariables())
	if err != nil {
		return fmt.Errorf("generator: %w", err)
	}
	a.real, a.fake = []*tf.Operation{realStep}, []*tf.Operation{fakeStep}
	a.gen = append(append([]*tf.Operation(nil), genUpdates...), genStep)
	a.gen = append(a.gen, s.AdvanceStep(a.gen...))
	m.genStep, m.discStep = genStep, fakeStep
	m.alternating = a
	return s.Err()
}

// trainAlternating runs the three updates of an alternating step in order.
func (m *GAN) trainAlternating(feeds map[tf.Output]*tf.Tensor) (StepResult, error) {
	a := m.alternating
	real, err := m.run(feeds, []tf.Output{a.realLoss, a.realAcc}, a.real...)
	if err != nil {
		return StepResult{}, fmt.Errorf("train step (discriminator on real images): %w", err)
	}
	fake, err := m.run(feeds, []tf.Output{a.fakeLoss, a.fakeAcc}, a.fake...)
	if err != nil {
		return StepResult{}, fmt.Errorf("train step (discriminator on generated images): %w", err)
	}
	gen, err := m.run(feeds, []tf.Output{a.genLoss}, a.gen...)
	if err != nil {
		return StepResult{}, fmt.Errorf("train step (generator): %w", err)
	}
	return StepResult{
		GenLoss:      graphs.Scalar64(gen[0]),
		DiscLoss:     graphs.Scalar64(real[0]) + graphs.Scalar64(fake[0]),
		RealAccuracy: graphs.Scalar64(real[1]),
		FakeAccuracy: graphs.Scalar64(fake[1]),
	}, nil
}

// randomLabels draws [batch, 1] class labels uniform in [0, num_classes) for a
// conditional GAN; the zero Output otherwise.
func (m *GAN) randomLabels(s *graphs.Scope, batch tf.Output) tf.Output {
	if !m.Config.Conditional() {
		return tf.Output{}
	}
	shape := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{batch, s.Const([]int32{1})}, s.Const(int32(0)))
	u := s.RandomUniform(shape)
	k := op.Floor(s.Op("Floor"), op.Mul(s.Op("Mul"), u, s.Scalar(float64(m.Config.NumClasses))))
	// u < 1, so k <= num_classes-1; Minimum guards the float rounding of u·n.
	k = op.Minimum(s.Op("Minimum"), k, s.Scalar(float64(m.Config.NumClasses-1)))
	return op.Cast(s.Op("Cast"), k, tf.Int32)
}

// batchSize is the leading dimension of x as an int32 vector of length 1.
func batchSize(s *graphs.Scope, x tf.Output) tf.Output {
	return op.StridedSlice(s.Op("StridedSlice"), op.Shape(s.Op("Shape"), x), s.Const([]int32{0}), s.Const([]int32{1}), s.Const([]int32{1}))
}

// noiseShape is [batch, noiseDim].
func noiseShape(s *graphs.Scope, batch tf.Output, noiseDim int) tf.Output {
	return op.ConcatV2(s.Op("ConcatV2"), []tf.Output{batch, s.Const([]int32{int32(noiseDim)})}, s.Const(int32(0)))
}

// ganLoss is the mean binary cross-entropy of logits against the constant target (0 or
// 1). The target is a broadcast scalar: ones_like/zeros_like of the logits would sit on
// the gradient path, and the C++ registry has no gradient for OnesLike.
func ganLoss(s *graphs.Scope, logits tf.Output, target float64) tf.Output {
	return builders.Mean(s, builders.SigmoidCrossEntropy(s, logits, s.Scalar(target)))
}

// ganAccuracy is the fraction of logits on the wanted side of 0 (> 0 for real images,
// <= 0 for generated ones).
func ganAccuracy(s *graphs.Scope, logits tf.Output, real bool) tf.Output {
	var c tf.Output
	if real {
		c = op.Greater(s.Op("Greater"), logits, s.Const(float32(0)))
	} else {
		c = op.LessEqual(s.Op("LessEqual"), logits, s.Const(float32(0)))
	}
	return builders.Mean(s, op.Cast(s.Op("Cast"), c, tf.Float))
}
