package configs

// Adversarial is the section of task gan: the GAN, and the callbacks of its training.
type Adversarial struct {
	// GAN is the generator, the discriminator and how they train. Required.
	GAN *GAN `mapstructure:"gan" tfrun:"required"`
	// Train holds Model.fit's callbacks; a GAN's epochs and batch size are gan's.
	Train GANTrain `mapstructure:"train"`
}

// GANTrain is a GAN's train section.
type GANTrain struct {
	// Callbacks are Model.fit callbacks, called in order, monitoring the GAN's losses and
	// accuracies. Default none.
	Callbacks []Callback `mapstructure:"callbacks"`
}

func init() {
	RegisterKind(Kind{
		Name:         TaskGAN,
		New:          func() Section { return &Adversarial{} },
		Formats:      []string{FormatImageDirectory},
		Datasets:     []string{DatasetCIFAR10, DatasetFashionMNIST, DatasetMNIST},
		NoValidation: "a gan",
		Scale:        ScaleTanh, // its generator ends in tanh
	})
}

// Adversarial returns the config's section if its task is gan, else nil.
func (c *Config) Adversarial() *Adversarial {
	a, _ := c.Section.(*Adversarial)
	return a
}

// GAN returns the config's GAN if its task is gan, else nil.
func (c *Config) GAN() *GAN {
	if a := c.Adversarial(); a != nil {
		return a.GAN
	}
	return nil
}

// decoded gives each reuse entry of a functional network its layer's type and arguments.
func (a *Adversarial) decoded(map[string]any) {
	if a.GAN != nil {
		for _, n := range []*Network{&a.GAN.Generator, &a.GAN.Discriminator} {
			n.Model().resolveReuse()
		}
	}
}

// sections refuses what a GAN's train section cannot hold, before it is decoded.
func (a *Adversarial) sections(d *decoder, raw map[string]any) error {
	if train, ok := raw["train"].(map[string]any); ok {
		for key := range train {
			if key != "callbacks" {
				return d.bad("train."+key, "task gan takes only train.callbacks (its epochs and batch_size are in gan)")
			}
		}
	}
	return nil
}

// Validate checks the GAN and what its callbacks monitor.
func (a *Adversarial) Validate(c *Config) error {
	ch := &checker{file: c.File}
	if a.GAN == nil {
		return ch.missing("gan", " for task gan")
	}
	if err := ch.fromBranches("gan.generator", &a.GAN.Generator, ganNoiseInput, a.GAN.NumClasses); err != nil {
		return err
	}
	if err := ch.fromBranches("gan.discriminator", &a.GAN.Discriminator, ganImageInput, a.GAN.NumClasses); err != nil {
		return err
	}
	if err := ch.gan(a.GAN); err != nil {
		return a.GAN.oldKeys(err)
	}
	if err := ch.labelsForGAN(&c.Data); err != nil {
		return err
	}
	for i := range a.Train.Callbacks {
		if err := ch.callback(indexPath("train.callbacks", i), &a.Train.Callbacks[i], ganMonitors); err != nil {
			return err
		}
	}
	return nil
}

// ganMonitors is what a GAN's callbacks can monitor: its losses and accuracies, without
// validation.
var ganMonitors = monitorable{
	names:        []string{MonitorDiscLoss, MonitorFakeAccuracy, MonitorGenLoss, MonitorRealAccuracy},
	noValidation: "a GAN run has no validation",
}

// ModelDefinition is the GAN's noise, classes and both networks.
func (a *Adversarial) ModelDefinition() map[string]any {
	g := a.GAN
	return map[string]any{"gan": map[string]any{
		"noise_dim":     g.NoiseDim,
		"num_classes":   g.NumClasses,
		"generator":     canonicalNetwork(&g.Generator),
		"discriminator": canonicalNetwork(&g.Discriminator),
	}}
}

// estimateMemory collects both networks' terms (see memoryWalk).
func (a *Adversarial) estimateMemory(m *memoryWalk, c *Config, limit int) error {
	return m.gan(c, limit)
}

func (a *Adversarial) batchKey() string { return "gan.batch_size" }
