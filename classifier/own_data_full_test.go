package classifier

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/internal/runtest"
)

// These cross-checks read the full data sets (skipped with -short or when they are not
// found): IMDB's aclImdb/train and aclImdb/test through text_directory, and CIFAR-10's
// images written as PNG folders through image_directory, against the built-in loaders.

// locate finds a built-in data set or skips the test.
func locate(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("full data sets are skipped in -short mode")
	}
	p, err := datasets.Locate(name, "")
	if err != nil {
		t.Skip(err)
	}
	return p
}

// extractIMDB writes aclImdb/{train,test}/{neg,pos}/*.txt of the tarball below dir.
func extractIMDB(t *testing.T, tarball, dir string) {
	t.Helper()
	f, err := os.Open(tarball)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(h.Name, "/")
		if h.Typeflag != tar.TypeReg || len(parts) != 4 || parts[0] != "aclImdb" || (parts[2] != "neg" && parts[2] != "pos") {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// examples returns the examples of d as sorted strings (features, then label): the
// multiset of (example, label), independent of the order.
func examples(d *Dataset) []string {
	r := d.rowLen()
	out := make([]string, d.Len())
	for i := range out {
		var b bytes.Buffer
		if d.Ints != nil {
			binary.Write(&b, binary.LittleEndian, d.Ints[i*r:(i+1)*r])
		} else {
			binary.Write(&b, binary.LittleEndian, d.Floats[i*r:(i+1)*r])
		}
		fmt.Fprintf(&b, "|%v", d.Labels[i])
		out[i] = b.String()
	}
	slices.Sort(out)
	return out
}

// TestFullIMDBTextDirectory: aclImdb/train and aclImdb/test through text_directory give
// the built-in IMDB loader's vocabulary, byte for byte, and the same multiset of (token
// ids, label) in each split. Only the order differs: the built-in loader shuffles with
// keras.datasets.imdb's seed 113, text_directory with numpy's RandomState(seed), as Keras.
func TestFullIMDBTextDirectory(t *testing.T) {
	tarball := locate(t, "imdb")
	dir := t.TempDir()
	extractIMDB(t, tarball, dir)
	builtinOut, ownOut := t.TempDir(), t.TempDir()
	const model = `model: {layers: [{type: Embedding, input_dim: 20000, output_dim: 32}, {type: LSTM, units: 32}, {type: Dense, units: 1, activation: sigmoid}]}
train: {epochs: 1}`
	builtin := runtest.LoadConfig(t, "task: classifier\ndata: {dataset: imdb, num_words: 20000, maxlen: 80}\n"+model)
	own := runtest.LoadConfig(t, fmt.Sprintf("task: classifier\ndata: {format: text_directory, path: %s, test_path: %s, class_names: [neg, pos], num_words: 20000, maxlen: 80}\n%s",
		filepath.Join(dir, "aclImdb", "train"), filepath.Join(dir, "aclImdb", "test"), model))
	bs, err := LoadSplits(context.Background(), builtin, "", builtinOut, 0, 42)
	if err != nil {
		t.Fatal(err)
	}
	ow, err := LoadSplits(context.Background(), own, "", ownOut, 0, 42)
	if err != nil {
		t.Fatal(err)
	}
	bv, _ := readFile(t, filepath.Join(builtinOut, "vocabulary.json"))
	ov, _ := readFile(t, filepath.Join(ownOut, "vocabulary.json"))
	if !bytes.Equal(bv, ov) {
		t.Errorf("vocabulary.json differs: %d bytes built-in, %d text_directory", len(bv), len(ov))
	}
	for _, sp := range []struct {
		name      string
		got, want *Dataset
	}{{"train", ow.Train, bs.Train}, {"test", ow.Test, bs.Test}} {
		if g, w := examples(sp.got), examples(sp.want); !slices.Equal(g, w) {
			t.Errorf("%s: the (ids, label) multisets differ (%d vs %d examples)", sp.name, len(g), len(w))
		}
	}
}

func readFile(t *testing.T, p string) ([]byte, error) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b, nil
}

// WriteCIFARPNG writes a CIFAR-10 split as dir/<class name>/<index>.png.
func writeCIFARPNG(t *testing.T, images, labels []uint8, n int, dir string) {
	t.Helper()
	names := []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}
	for _, c := range names {
		if err := os.MkdirAll(filepath.Join(dir, c), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		img := image.NewNRGBA(image.Rect(0, 0, 32, 32))
		px := images[i*32*32*3 : (i+1)*32*32*3]
		for p := range 32 * 32 {
			copy(img.Pix[p*4:], px[p*3:p*3+3])
			img.Pix[p*4+3] = 255
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, names[labels[i]], fmt.Sprintf("%05d.png", i)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFullCIFARImageDirectory: CIFAR-10's test images written as PNG folders read back
// through image_directory (image_size [32, 32], scale tanh) as exactly the built-in
// loader's test split: the same multiset of (pixels, label), every float equal. With
// TFRUN_CIFAR_PNG_DIR set it writes both splits there (train/ and test/) and keeps
// them, for the training cross-check (docs/results/own_data_crosscheck.md).
func TestFullCIFARImageDirectory(t *testing.T) {
	path := locate(t, "cifar10")
	set, err := datasets.LoadCIFAR10(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if keep := os.Getenv("TFRUN_CIFAR_PNG_DIR"); keep != "" {
		dir = keep
		writeCIFARPNG(t, set.TrainImages, set.TrainLabels, set.NumTrain, filepath.Join(dir, "train"))
	}
	writeCIFARPNG(t, set.TestImages, set.TestLabels, set.NumTest, filepath.Join(dir, "test"))
	own := runtest.LoadConfig(t, fmt.Sprintf(`task: classifier
data: {format: image_directory, path: %s, image_size: [32, 32], scale: tanh}
model: {layers: [{type: Flatten}, {type: Dense, units: 10, activation: softmax}]}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`, filepath.Join(dir, "test")))
	ow, err := LoadSplits(context.Background(), own, "", "", 0, 42)
	if err != nil {
		t.Fatal(err)
	}
	_, test, err := LoadImages("cifar10", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := examples(ow.Train), examples(test); !slices.Equal(g, w) {
		t.Errorf("the (pixels, label) multisets differ (%d vs %d images)", len(g), len(w))
	}
	if math.Abs(float64(ow.Train.Floats[0])) > 1 {
		t.Errorf("pixel %g outside [-1, 1]", ow.Train.Floats[0])
	}
}

// TestFullCIFARPNGTrainsAsBinary: put in the binary loader's order (the index in each
// file's name), the PNG folder's images are the binary loader's, float for float, and a
// cifar_classifier trained on a slice of each gives the same losses and accuracies bit for
// bit. So what separates a training run from the folders and one from the binary files is
// only the order of the examples (Keras's seeded file shuffle vs the binary order), whose
// effect is that of another seed.
func TestFullCIFARPNGTrainsAsBinary(t *testing.T) {
	path := locate(t, "cifar10")
	set, err := datasets.LoadCIFAR10(path)
	if err != nil {
		t.Fatal(err)
	}
	const n, bs = 512, 128
	dir := t.TempDir()
	writeCIFARPNG(t, set.TestImages, set.TestLabels, n, dir)
	files, err := datasets.ImageDirectory(dir, datasets.ImageDirectoryOptions{DirectoryOptions: datasets.DirectoryOptions{NoShuffle: true}})
	if err != nil {
		t.Fatal(err)
	}
	// The listing is by class, then name; the binary order is by the index in the name.
	ordered := datasets.LabeledFiles{Paths: make([]string, n), Labels: make([]int, n)}
	for k, p := range files.Paths {
		var i int
		if _, err := fmt.Sscanf(filepath.Base(p), "%05d.png", &i); err != nil || i >= n {
			t.Fatalf("%s: not an index below %d", p, n)
		}
		ordered.Paths[i], ordered.Labels[i] = p, files.Labels[k]
	}
	own, err := readImages(context.Background(), ordered, datasets.ImageLoadOptions{ImageSize: [2]int{32, 32}}, "tanh")
	if err != nil {
		t.Fatal(err)
	}
	_, test, err := LoadImages("cifar10", "", n)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(own.Floats, test.Floats) || !slices.Equal(own.Labels, test.Labels) {
		t.Fatal("in the binary order, the PNG folder's pixels or labels differ from the binary loader's")
	}
	cfg := runtest.LoadConfig(t, "name: cifar_slice\ntask: classifier\nseed: 42\ndata: {dataset: cifar10}\n"+cifarModel)
	train := func(ds *Dataset) []float64 {
		c, err := FromConfig(cfg, ds.Shape, false, 42, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var out []float64
		order := datasets.Shuffle(n, 7)
		for start := 0; start < n; start += bs {
			x, y, err := ds.batch(order[start : start+bs])
			if err != nil {
				t.Fatal(err)
			}
			logs, _, err := c.TrainBatchLogs(x, y)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, logs["loss"], logs["accuracy"])
		}
		loss, acc, err := c.Evaluate(ds, bs)
		if err != nil {
			t.Fatal(err)
		}
		return append(out, loss, acc)
	}
	if a, b := train(own), train(test); !slices.Equal(a, b) {
		t.Errorf("training on the PNG folder gave %v, on the binary files %v", a, b)
	}
}
