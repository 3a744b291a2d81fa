// Package classifier is tfrun's supervised model (task classifier): a Keras Sequential
// model compiled with a Keras loss (cross-entropies for classes, regression losses for
// real-valued targets) and its optimizer (Classifier), its data (IMDB token ids, images,
// own folders and CSV tables), and its run (Run), which runner's loop trains.
package classifier
