// Package export serves what tfrun trained: it turns a run's checkpoint into a TensorFlow
// SavedModel that TensorFlow's loaders accept (the C++ loader behind graft's and tfgo's
// LoadSavedModel and TensorFlow Serving, Python's tf.saved_model.load, Keras's
// TFSMLayer), and runs the same signatures in process for tfrun predict.
//
// Build compiles the model a config describes (classifier.FromConfig, gan.NewGAN: the
// graph its run trained), adds serving signatures beside the training path and restores
// a checkpoint of the run (latest, best or ckpt-N, checked against the config's
// fingerprint). Model.Write writes <dir>/<version>/saved_model.pb with the graph pruned to
// the inference path (no dropout, BatchNormalization on its moving statistics, no
// optimizer, no training placeholders), a V2 SaverDef whose restore_all reads
// variables/variables.{index,data-00000-of-00001} (a bundle tfrun's own saver writes), the
// signatures (method tensorflow/serving/predict) and __saved_model_init_op, which fills
// the vocabulary table of a text classifier after the restore. Load reads one back.
//
// Signatures: a text classifier takes raw text (serving_default; the Keras tokenizer runs
// in-graph, TextTokenizer) or padded ids (token_ids), and tokenize returns the ids; an
// image classifier takes uint8 pixels (serving_default) or float32 ones (float_images),
// scaled in-graph as training scaled them; a GAN's generator takes noise (and a class) and
// returns uint8 images. No Go library wrote SavedModels before: TensorFlow's Go package
// says it cannot export; TensorFlow Java's SavedModelBundle.Exporter is the model of the
// layout.
package export
