// Package classifier is tfrun's classifier: a Keras Sequential model compiled with
// binary or sparse categorical cross-entropy and its optimizer (Classifier), its data
// (IMDB token ids, images), and its run (Run), which runner's loop trains.
package classifier
