package importer

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// tokenAndPositionLines are configs/imdb_transformer.yaml's masked embedding (session 10),
// unmaskedEmbeddingLines the embedding its golden steps were recorded with.
const (
	tokenAndPositionLines = "    # keras_hub's TokenAndPositionEmbedding: token + learnt position embeddings whose sum\n" +
		"    # keeps the ids' mask (Add([Embedding(mask_zero), PositionEmbedding]) would drop it).\n" +
		"    - {name: embeddings, type: TokenAndPositionEmbedding, vocabulary_size: 20000, sequence_length: 400, embedding_dim: 32, mask_zero: true, call: tokens}\n"
	unmaskedEmbeddingLines = "    - {name: token_embedding, type: Embedding, input_dim: 20000, output_dim: 32, mask_zero: true, call: tokens}\n" +
		"    - {name: position_embedding, type: PositionEmbedding, sequence_length: 400}\n" +
		"    - {name: embeddings, type: Add, call: [token_embedding, position_embedding]}\n"
)

// stepsConfig is configs/imdb_transformer.yaml as the golden's steps ran it in Keras: the
// same layers with a vocabulary of vocab ids and reviews of maxlen tokens, every Dropout
// rate 0, weight decay wd, the schedule's warm-up and decay shortened; for model
// "masked_block" without the position embedding (the block called on the token
// embeddings, which keeps their mask).
func stepsConfig(t *testing.T, dir, model string, vocab, maxlen, warmup, decay int, wd float64) *configs.Config {
	edits := [][3]string{
		// The golden's steps ran the config's model as it was before session 10's
		// TokenAndPositionEmbedding: Embedding(mask_zero) + PositionEmbedding + Add.
		{tokenAndPositionLines, unmaskedEmbeddingLines, "1"},
		{"input_dim: 20000", fmt.Sprintf("input_dim: %d", vocab), "1"},
		{"shape: [400]", fmt.Sprintf("shape: [%d]", maxlen), "1"},
		{"num_words: 20000", fmt.Sprintf("num_words: %d", vocab), "1"},
		{"maxlen: 400", fmt.Sprintf("maxlen: %d", maxlen), "1"},
		{"rate: 0.1", "rate: 0.0", "4"},
		{"weight_decay: 0.01", fmt.Sprintf("weight_decay: %g", wd), "1"},
		{"warmup_steps: 200, decay_steps: 1364", fmt.Sprintf("warmup_steps: %d, decay_steps: %d", warmup, decay), "1"},
	}
	switch model {
	case "config":
		edits = append(edits, [3]string{"sequence_length: 400", fmt.Sprintf("sequence_length: %d", maxlen), "1"})
	case "masked_block":
		edits = append(edits,
			[3]string{"    - {name: position_embedding, type: PositionEmbedding, sequence_length: 400}\n", "", "1"},
			[3]string{"    - {name: embeddings, type: Add, call: [token_embedding, position_embedding]}\n", "", "1"},
			[3]string{"call: [embeddings, embeddings]", "call: [token_embedding, token_embedding]", "1"},
			[3]string{"call: [embeddings, attention_dropout]", "call: [token_embedding, attention_dropout]", "1"})
	default:
		t.Fatalf("golden model %q unknown", model)
	}
	return transformerConfig(t, dir, edits)
}

// loadKerasWeights sets c's weights from a Keras .weights.h5 of the config's model, as
// train.initial_weights does.
func loadKerasWeights(t *testing.T, c *classifier.Classifier, cfg *configs.Config, path string) {
	t.Helper()
	prefix, err := checkpoints.ResolveWeights(path, cfg.File, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := checkpoints.LoadWeightsByLayer(c.Session(), prefix, c.Weights())
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Missing) > 0 || len(loaded.Unused) > 0 {
		t.Fatalf("%s: layers not in the file %v, not in the model %v", path, loaded.Missing, loaded.Unused)
	}
}

// Tolerances of TestTransformerStepsKeras. Measured (AMD EPYC Zen 3, TF_ENABLE_ONEDNN_OPTS=0
// and =1 alike): |Δloss| ≤ 1.1e-6 over the 20 steps, |Δweight| ≤ 3.6e-7 after them (for
// weights of sizes 0.003 to 1). Without the weight decay of the weight_decay 1.0 case the
// weights would differ from Keras's by about 1e-2 of their size.
const (
	transformerLossTol   = 5e-6 // |tfrun − Keras| of a step's loss
	transformerWeightTol = 2e-6 // |tfrun − Keras| of a final weight
)

// configs/imdb_transformer.yaml's model trains as its Keras twin does: from the twin's
// initial weights (a .weights.h5 read as train.initial_weights reads it), with every
// Dropout rate 0, on the same 20 batches of token ids, with AdamW on the config's
// CosineDecay (warm-up shortened), each step's learning rate, loss and accuracy are Keras
// 3.15.1's, and the weights after the last step are Keras's within float32 noise. This
// covers Embedding and PositionEmbedding, MultiHeadAttention's forward and backward
// passes, LayerNormalization, GlobalAveragePooling1D, the loss, Adam and the schedule; the
// case with weight_decay 1.0 makes AdamW's decoupled decay, which Keras applies to every
// trainable variable, larger than that noise. In Keras 3.15.1 the config's model has no
// mask past the Add of the position embeddings; the "masked_block" case (the block on the
// token embeddings, reviews padded to random lengths) covers the masked MultiHeadAttention
// and GlobalAveragePooling1D.
func TestTransformerStepsKeras(t *testing.T) {
	g := loadTransformerGolden(t)
	st := g.Steps
	for _, kc := range st.Cases {
		t.Run(fmt.Sprintf("%s_weight_decay_%g", kc.Model, kc.WeightDecay), func(t *testing.T) {
			data, ok := st.Data[kc.Data]
			if !ok {
				t.Fatalf("no data %q in the golden", kc.Data)
			}
			cfg := stepsConfig(t, t.TempDir(), kc.Model, st.Vocab, st.Maxlen, st.WarmupSteps, st.DecaySteps, kc.WeightDecay)
			sched := cfg.Supervised().Train.Optimizer.Schedule.LearningRate
			c, err := classifier.FromConfig(cfg, builders.Shape{st.Maxlen}, true, 42, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			loadKerasWeights(t, c, cfg, filepath.Join("testdata", kc.InitialWeights))
			before := weightValues(t, c)
			var worstLoss float64
			for i, tokens := range data.Tokens {
				lr := sched(int64(i))
				if math.Abs(lr-kc.LearningRate[i]) > 1e-9 {
					t.Errorf("step %d: learning rate %.8g, Keras %.8g", i, lr, kc.LearningRate[i])
				}
				if err := c.SetLearningRate(lr); err != nil {
					t.Fatal(err)
				}
				x, err := graphs.NewTensor(tokens, int64(st.Batch), int64(st.Maxlen))
				if err != nil {
					t.Fatal(err)
				}
				y, err := graphs.NewTensor(data.Labels[i], int64(st.Batch))
				if err != nil {
					t.Fatal(err)
				}
				loss, acc, err := c.TrainBatch(x, y)
				if err != nil {
					t.Fatal(err)
				}
				d := math.Abs(loss - kc.Loss[i])
				worstLoss = math.Max(worstLoss, d)
				if d > transformerLossTol {
					t.Errorf("step %d: loss %.7f, Keras %.7f", i, loss, kc.Loss[i])
				}
				if math.Abs(acc-kc.Accuracy[i]) > 1e-6 {
					t.Errorf("step %d: accuracy %.4f, Keras %.4f", i, acc, kc.Accuracy[i])
				}
			}
			after := weightValues(t, c)
			k, err := classifier.FromConfig(cfg, builders.Shape{st.Maxlen}, true, 42, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			loadKerasWeights(t, k, cfg, filepath.Join("testdata", kc.FinalWeights))
			keras := weightValues(t, k)
			var worst float64
			for name, kv := range keras {
				tv, b := after[name], before[name]
				var diff, moved float64
				for j := range kv {
					diff = math.Max(diff, math.Abs(tv[j]-kv[j]))
					moved = math.Max(moved, math.Abs(kv[j]-b[j]))
				}
				worst = math.Max(worst, diff)
				if diff > transformerWeightTol {
					t.Errorf("%s: max |tfrun − Keras| %.3g; Keras's steps moved it by up to %.3g", name, diff, moved)
				}
				if moved == 0 {
					t.Errorf("%s: Keras's steps left it unchanged; the golden checks nothing of it", name)
				}
			}
			t.Logf("loss %.6f → %.6f; worst |Δloss| %.2g, worst |Δweight| %.2g", kc.Loss[0], kc.Loss[len(kc.Loss)-1], worstLoss, worst)
		})
	}
}
