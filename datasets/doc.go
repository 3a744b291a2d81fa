// Package datasets reads the training data sets that tfrun's example models use,
// in the formats their original distributions ship, and prepares them the way
// Keras does.
//
// It needs no TensorFlow: everything here is plain Go over the standard library
// (and golang.org/x/image/bmp, pure Go too), so configs and tools can load, check
// and prepare data without libtensorflow.
//
// Readers:
//   - [LoadIMDBText]: IMDB Large Movie Review v1.0 (aclImdb_v1.tar.gz or its extracted tree).
//   - [ReadIDXImages], [ReadIDXLabels], [LoadMNIST]: MNIST and Fashion-MNIST IDX files.
//   - [LoadCIFAR10]: CIFAR-10 binary version (cifar-10-binary.tar.gz or its extracted tree).
//
// Bring your own data, with the semantics of Keras's readers:
//   - [TextDirectory], [ImageDirectory]: keras.utils.text_dataset_from_directory and
//     image_dataset_from_directory (one subfolder per class, class_names, validation_split
//     and subset with numpy's seeded shuffle, follow_links); [ReadText], [LoadImage]
//     (PNG, JPEG, GIF, BMP; color_mode, image_size with TensorFlow's bilinear resize,
//     crop_to_aspect_ratio) and [NewImageBatches] (a bounded, cancellable prefetching reader).
//   - [ReadCSV]: a table with a header row, numeric features and a label column;
//     [AdaptNormalization] and [Normalize]: keras.layers.Normalization.
//
// Preparation with Keras's defaults:
//   - [Tokenize], [BuildVocabulary], [Vocabulary.Encode]: keras.preprocessing.text.Tokenizer
//     and the index layout of keras.datasets.imdb (0 padding, 1 start, 2 out-of-vocabulary,
//     words from 3).
//   - [PadSequences]: keras.utils.pad_sequences with padding and truncating "pre".
//   - [ValidationSplit]: the validation_split argument of Model.fit (the last part held out).
//   - [Shuffle]: a seeded permutation that is the same on every run and Go release.
//   - [ScaleToUnit], [ScaleToTanh]: pixel scaling to [0,1] or [-1,1].
//
// Getting the data: [Locate] finds a data set on disk; [Fetch] and [Download] fetch and
// verify it where a network is available; [Sources] lists the official locations.
//
// Every error this package returns (but the io.EOF that ends [ImageBatches.Next]) is an
// [*Error] naming the operation and the file, and
// wraps one of the sentinels [ErrFormat], [ErrNotFound], [ErrChecksum],
// [ErrInvalidArgument] or [ErrIO].
package datasets
