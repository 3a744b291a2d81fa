package configs

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// withOptimizer is baseYAML with train.optimizer set to the YAML value opt.
func withOptimizer(t *testing.T, opt string) string {
	return edit(t, baseYAML, "epochs: 2", "epochs: 2\n  optimizer: "+opt)
}

// Every optimizer argument has Keras's default: each spec is compared with the
// get_config() of the Keras 3.15.1 class made with no arguments (recorded in
// graphs/testdata/keras_optimizers.json by graphs/testdata/keras/make_optimizer_golden.py).
// Keras's None is tfrun's 0 ("none").
func TestOptimizerDefaultsAreKeras(t *testing.T) {
	golden := readKerasDefaults(t, "../graphs/testdata/keras_optimizers.json")
	for _, typ := range OptimizerTypes() {
		t.Run(typ, func(t *testing.T) {
			keras, ok := golden.Defaults[typ]
			if !ok {
				t.Fatalf("no Keras defaults recorded for %s", typ)
			}
			o := mustOptimizer(typ)
			if lr, _ := keras["learning_rate"].(float64); float32(lr) != float32(o.LearningRate) {
				t.Errorf("learning_rate: tfrun %g, Keras %g", o.LearningRate, lr)
			}
			spec, _ := LookupOptimizer(typ)
			for _, a := range spec.Args {
				if tfrunOnlyOptimizerArgs[a.Key] {
					if a.Default != false {
						t.Errorf("%s: tfrun's own argument must default to Keras's behaviour off, got %v", a.Key, a.Default)
					}
					continue
				}
				kv, ok := keras[a.Key]
				if !ok {
					t.Errorf("%s: Keras's %s has no such argument", a.Key, typ)
					continue
				}
				if kv == nil {
					kv = 0.0
				}
				if got := o.Arg(a.Key); !reflect.DeepEqual(got, kv) {
					t.Errorf("%s: tfrun %v, Keras %v", a.Key, got, kv)
				}
			}
		})
	}
}

// tfrunOnlyOptimizerArgs are optimizer arguments Keras's classes do not have.
var tfrunOnlyOptimizerArgs = map[string]bool{"sparse_embedding_gradients": true}

// Every type loads by Keras's lower-case name (Keras's optimizer="adamw") and as a
// mapping whose every argument is set to another value than its default.
func TestOptimizerLoad(t *testing.T) {
	for _, typ := range OptimizerTypes() {
		t.Run(typ, func(t *testing.T) {
			byName := mustLoad(t, "name.yaml", withOptimizer(t, strings.ToLower(typ)))
			if want := mustOptimizer(typ); !reflect.DeepEqual(byName.Supervised().Train.Optimizer, want) {
				t.Errorf("optimizer: %s: got %+v, want %+v", strings.ToLower(typ), byName.Supervised().Train.Optimizer, want)
			}
			spec, _ := LookupOptimizer(typ)
			want := mustOptimizer(typ)
			want.LearningRate = 0.125
			yaml := "{type: " + typ + ", learning_rate: 0.125"
			wv := reflect.ValueOf(&want).Elem()
			clipSet := false
			for _, a := range spec.Args {
				var v any
				switch a.Kind {
				case KindBool:
					v = !a.Default.(bool)
				default:
					v = a.Default.(float64)/2 + 0.25
					if strings.Contains(a.Key, "clip") {
						if _, sparse := spec.Arg("sparse_embedding_gradients"); clipSet || sparse {
							continue // one clipping mode at a time, none with sparse_embedding_gradients
						}
						clipSet = true
					}
				}
				yaml += ", " + a.Key + ": " + strings.TrimSpace(toYAML(v))
				wv.FieldByIndex(fieldIndex(wv.Type(), a.Key)).Set(reflect.ValueOf(v))
			}
			c := mustLoad(t, "args.yaml", withOptimizer(t, yaml+"}"))
			if !reflect.DeepEqual(c.Supervised().Train.Optimizer, want) {
				t.Errorf("optimizer: %s:\n got %+v\nwant %+v", yaml, c.Supervised().Train.Optimizer, want)
			}
		})
	}
}

func toYAML(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Every bad optimizer argument is refused at load time, at its key, saying what is valid.
func TestOptimizerLoadErrors(t *testing.T) {
	for _, tt := range []struct {
		name, opt string
		key       string
		want      error
		also      []string
	}{
		{"unknown type", "{type: Adafactor}", "train.optimizer.type", ErrBadValue,
			[]string{`unknown "Adafactor" (valid: Adadelta, Adagrad, Adam, AdamW, Adamax, Lion, Nadam, RMSprop, SGD)`}},
		{"unknown name", "adafactor", "train.optimizer", ErrBadValue, []string{"valid: Adadelta, Adagrad"}},
		{"negative learning_rate", "{type: AdamW, learning_rate: -0.001}", "train.optimizer.learning_rate", ErrBadValue, []string{"must be > 0, got -0.001"}},
		{"negative weight_decay", "{type: AdamW, weight_decay: -0.1}", "train.optimizer.weight_decay", ErrBadValue, []string{"must be >= 0, got -0.1"}},
		{"weight_decay of SGD negative", "{type: SGD, weight_decay: -1}", "train.optimizer.weight_decay", ErrBadValue, []string{"must be >= 0"}},
		{"weight_decay not a number", "{type: AdamW, weight_decay: none}", "train.optimizer.weight_decay", ErrWrongType, nil},
		{"Adadelta rho 1", "{type: Adadelta, rho: 1}", "train.optimizer.rho", ErrBadValue, []string{"must be in [0, 1), got 1"}},
		{"Adadelta epsilon 0", "{type: Adadelta, epsilon: 0}", "train.optimizer.epsilon", ErrBadValue, []string{"must be > 0"}},
		{"Adagrad negative initial_accumulator_value", "{type: Adagrad, initial_accumulator_value: -0.1}",
			"train.optimizer.initial_accumulator_value", ErrBadValue, []string{"must be >= 0, got -0.1"}},
		{"Adagrad epsilon negative", "{type: Adagrad, epsilon: -1.0e-7}", "train.optimizer.epsilon", ErrBadValue, []string{"must be > 0"}},
		{"Adamax beta_1 negative", "{type: Adamax, beta_1: -0.1}", "train.optimizer.beta_1", ErrBadValue, []string{"must be in [0, 1)"}},
		{"Adamax beta_2 1", "{type: Adamax, beta_2: 1.0}", "train.optimizer.beta_2", ErrBadValue, []string{"must be in [0, 1)"}},
		{"Nadam beta_2 1.5", "{type: Nadam, beta_2: 1.5}", "train.optimizer.beta_2", ErrBadValue, []string{"must be in [0, 1), got 1.5"}},
		{"Nadam epsilon 0", "{type: Nadam, epsilon: 0}", "train.optimizer.epsilon", ErrBadValue, nil},
		{"Lion beta_1 0", "{type: Lion, beta_1: 0}", "train.optimizer.beta_1", ErrBadValue, []string{"must be in (0, 1], got 0", "SignSGD"}},
		{"Lion beta_1 above 1", "{type: Lion, beta_1: 1.5}", "train.optimizer.beta_1", ErrBadValue, []string{"must be in (0, 1], got 1.5"}},
		{"Lion beta_2 1", "{type: Lion, beta_2: 1}", "train.optimizer.beta_2", ErrBadValue, []string{"must be in [0, 1)"}},
		{"Lion epsilon", "{type: Lion, epsilon: 1.0e-7}", "train.optimizer.epsilon", ErrUnknownKey,
			[]string{"for Lion (valid: type, learning_rate, beta_1, beta_2, weight_decay, clipnorm, clipvalue, global_clipnorm)"}},
		{"SGD nesterov not a bool", "{type: SGD, momentum: 0.9, nesterov: sometimes}", "train.optimizer.nesterov", ErrWrongType, nil},
		{"SGD momentum 1", "{type: SGD, momentum: 1}", "train.optimizer.momentum", ErrBadValue, []string{"must be in [0, 1)"}},
		{"Adam amsgrad", "{type: Adam, amsgrad: true}", "train.optimizer.amsgrad", ErrUnknownKey, []string{"for Adam (valid: "}},
		{"Adam initial_accumulator_value", "{type: Adam, initial_accumulator_value: 0.1}", "train.optimizer.initial_accumulator_value", ErrUnknownKey, nil},
		{"negative clipnorm", "{type: Adam, clipnorm: -1}", "train.optimizer.clipnorm", ErrBadValue, []string{"must be >= 0, got -1"}},
		{"negative clipvalue", "{type: SGD, clipvalue: -0.5}", "train.optimizer.clipvalue", ErrBadValue, []string{"must be >= 0"}},
		{"negative global_clipnorm", "{type: Nadam, global_clipnorm: -2}", "train.optimizer.global_clipnorm", ErrBadValue, []string{"must be >= 0"}},
		{"clipnorm and global_clipnorm", "{type: Adam, clipnorm: 1.0, global_clipnorm: 1.0}", "train.optimizer.global_clipnorm", ErrBadValue,
			[]string{"only one of clipnorm, clipvalue and global_clipnorm can be set", "got clipnorm 1 and global_clipnorm 1"}},
		{"clipnorm and clipvalue", "{type: Lion, clipnorm: 1.0, clipvalue: 0.5}", "train.optimizer.clipvalue", ErrBadValue,
			[]string{"only one of clipnorm, clipvalue and global_clipnorm", "got clipnorm 1 and clipvalue 0.5"}},
		{"clipvalue and global_clipnorm", "{type: RMSprop, clipvalue: 0.5, global_clipnorm: 2}", "train.optimizer.global_clipnorm", ErrBadValue,
			[]string{"got clipvalue 0.5 and global_clipnorm 2"}},
		{"sparse_embedding_gradients with clipnorm", "{type: AdamW, sparse_embedding_gradients: true, clipnorm: 1.0}", "train.optimizer.sparse_embedding_gradients", ErrBadValue,
			[]string{"cannot be combined with clipnorm 1"}},
		{"sparse_embedding_gradients a string", "{type: RMSprop, sparse_embedding_gradients: keras}", "train.optimizer.sparse_embedding_gradients", ErrWrongType, nil},
		{"sparse_embedding_gradients for SGD", "{type: SGD, sparse_embedding_gradients: true}", "train.optimizer.sparse_embedding_gradients", ErrUnknownKey,
			[]string{"for SGD (valid:"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeYAML(t, dir, "case.yaml", withOptimizer(t, tt.opt))
			c, err := Load(path)
			if err == nil {
				t.Fatalf("Load = %+v, want an error", c.Supervised().Train.Optimizer)
			}
			msg := err.Error()
			if prefix := path + ": " + tt.key + ": "; !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q\ndoes not start with %q", msg, prefix)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", msg, tt.want)
			}
			for _, s := range tt.also {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q\ndoes not contain %q", msg, s)
				}
			}
		})
	}
}

// A GAN's optimizers take the new types and arguments too.
func TestOptimizerGAN(t *testing.T) {
	text := edit(t, cganYAML, "  epochs: 1", "  epochs: 1\n  generator_optimizer: {type: Lion, learning_rate: 1.0e-4, weight_decay: 0.01}\n  discriminator_optimizer: {type: AdamW, global_clipnorm: 1.0}")
	c := mustLoad(t, filepath.Base("cgan.yaml"), text)
	if g := c.GAN().GeneratorOptimizer; g.Type != OptimizerLion || g.LearningRate != 1e-4 || g.WeightDecay != 0.01 || g.Beta2 != 0.99 {
		t.Errorf("generator_optimizer: %+v", g)
	}
	if d := c.GAN().DiscriminatorOptimizer; d.Type != OptimizerAdamW || d.GlobalClipnorm != 1 || d.WeightDecay != 0.004 {
		t.Errorf("discriminator_optimizer: %+v", d)
	}
}
