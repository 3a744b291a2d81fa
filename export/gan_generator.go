package export

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/gan"
)

func init() {
	registerKind(configs.TaskGAN, func(m *Model, _ string, threads int) error { return buildGenerator(m, threads) })
}

// buildGenerator compiles the GAN cfg describes (gan.NewGAN, the graph training used) and
// adds the generator's serving signature: serving_default takes noise [batch, noise_dim]
// float32 (N(0, 1), as training drew it) and, for a conditional GAN, class_id [batch]
// int32, and returns images [batch, h, w, c] uint8, the generator's tanh output as tfrun
// generate's PNGs hold it (TanhToBytes). The discriminator is not exported.
func buildGenerator(m *Model, threads int) error {
	cfg := m.Config
	g, err := gan.NewGAN(cfg, gan.GANOptions{Seed: uint64(cfg.Seed), Threads: threads})
	if err != nil {
		return err
	}
	m.adopt(g.Graph(), g.Session(), g.Close)
	m.Kind = KindGANGenerator
	ss := g.Graph().Root().Sub("serving")
	noise := ss.Placeholder("noise", tf.Float, -1, int64(cfg.GAN().NoiseDim))
	inputs := map[string]tf.Output{InputNoise: noise}
	var labels tf.Output
	if cfg.GAN().Conditional() {
		class := ss.Placeholder("class_id", tf.Int32, -1)
		inputs[InputClassID] = class
		labels = op.ExpandDims(ss.Op("ExpandDims"), class, ss.Const(int32(1)))
	}
	images := g.Generator.Call(noise, labels, false)
	if !ss.Ok(images) {
		return ss.Err()
	}
	m.sigs[DefaultSignature] = &signature{inputs: inputs, outputs: map[string]tf.Output{OutputImages: TanhToBytes(ss, images)}}
	return ss.Err()
}
