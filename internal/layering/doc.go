// Package layering holds the test that keeps tfrun's packages importing downward only.
package layering
