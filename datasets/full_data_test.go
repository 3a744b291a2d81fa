package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// These tests read the complete data sets in shared/data (see its README) and
// check them against the counts, histograms and statistics published there.
// They are skipped with -short or when shared/data is absent.

func TestFullIMDB(t *testing.T) {
	path := filepath.Join(sharedData(t), "aclImdb_v1.tar.gz")
	start := time.Now()
	train, test, err := LoadIMDBText(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("LoadIMDBText(%s): %v", path, time.Since(start))
	wantRatings := map[string]map[int]int{
		"train": {1: 5100, 2: 2284, 3: 2420, 4: 2696, 7: 2496, 8: 3009, 9: 2263, 10: 4732},
		"test":  {1: 5022, 2: 2302, 3: 2541, 4: 2635, 7: 2307, 8: 2850, 9: 2344, 10: 4999},
	}
	for _, split := range []struct {
		name    string
		reviews []Review
	}{{"train", train}, {"test", test}} {
		t.Run(split.name, func(t *testing.T) {
			if len(split.reviews) != 25000 {
				t.Fatalf("%d reviews, want 25000", len(split.reviews))
			}
			ratings := map[int]int{}
			for i, r := range split.reviews {
				// Order: 12,500 neg by id 0..12499, then 12,500 pos by id 0..12499.
				if wantLabel, wantID := i/12500, i%12500; r.Label != wantLabel || r.ID != wantID {
					t.Fatalf("review %d has label %d id %d, want label %d id %d", i, r.Label, r.ID, wantLabel, wantID)
				}
				if r.Text == "" {
					t.Fatalf("review %d (id %d) is empty", i, r.ID)
				}
				ratings[r.Rating]++
			}
			if !mapsEqual(ratings, wantRatings[split.name]) {
				t.Errorf("rating histogram %v, want %v", ratings, wantRatings[split.name])
			}
		})
	}
}

func mapsEqual(a, b map[int]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// kerasGolden is testdata/keras_imdb_golden.json, written by
// testdata/keras_imdb_golden.py with keras_preprocessing's Tokenizer.
type kerasGolden struct {
	NumTrain          int              `json:"num_train"`
	NumTest           int              `json:"num_test"`
	DistinctWords     int              `json:"distinct_words"`
	TotalTokens       int              `json:"total_tokens"`
	TopWords          []string         `json:"top_words"`
	TopCounts         []int            `json:"top_counts"`
	RankedWordsSHA256 string           `json:"ranked_words_sha256"`
	NumWords          int              `json:"num_words"`
	Encoded           map[string][]int `json:"encoded"`
}

func TestFullIMDBMatchesKerasTokenizer(t *testing.T) {
	path := filepath.Join(sharedData(t), "aclImdb_v1.tar.gz")
	data, err := os.ReadFile(filepath.Join("testdata", "keras_imdb_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden kerasGolden
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	train, test, err := LoadIMDBText(path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	trainTokens := make([][]string, len(train))
	for i, r := range train {
		trainTokens[i] = Tokenize(r.Text)
	}
	testTokens := make([][]string, len(test))
	for i, r := range test {
		testTokens[i] = Tokenize(r.Text)
	}
	tokenizeTime := time.Since(start)
	start = time.Now()
	full := BuildVocabulary(trainTokens, 0)
	vocab := BuildVocabulary(trainTokens, golden.NumWords)
	t.Logf("Tokenize %d reviews: %v; BuildVocabulary twice: %v", len(train)+len(test), tokenizeTime, time.Since(start))

	counts := map[string]int{}
	total := 0
	for _, words := range trainTokens {
		for _, w := range words {
			counts[w]++
			total++
		}
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"distinct words", full.Len(), golden.DistinctWords},
		{"total tokens", total, golden.TotalTokens},
		{"top words", full.Words()[:len(golden.TopWords)], golden.TopWords},
		{"top counts", topCounts(full.Words()[:len(golden.TopWords)], counts), golden.TopCounts},
		{"ranked words sha256", sha256Hex(strings.Join(full.Words(), "\n")), golden.RankedWordsSHA256},
		{"NumWords of full vocabulary", full.NumWords(), golden.DistinctWords + IndexFrom + 1},
		{"NumWords", vocab.NumWords(), golden.NumWords},
		{"kept words", vocab.Len(), golden.NumWords - IndexFrom - 1},
		{"encoded train[0]", ints(vocab.Encode(trainTokens[0])), golden.Encoded["train[0]"]},
		{"encoded train[12500]", ints(vocab.Encode(trainTokens[12500])), golden.Encoded["train[12500]"]},
		{"encoded test[0]", ints(vocab.Encode(testTokens[0])), golden.Encoded["test[0]"]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := json.Marshal(tt.got)
			w, _ := json.Marshal(tt.want)
			if string(g) != string(w) {
				t.Errorf("got %.300s, want %.300s", g, w)
			}
		})
	}
	if tokenizeTime > 5*time.Second {
		t.Errorf("tokenizing 50,000 reviews took %v, want a couple of seconds", tokenizeTime)
	}
}

func topCounts(words []string, counts map[string]int) []int {
	out := make([]int, len(words))
	for i, w := range words {
		out[i] = counts[w]
	}
	return out
}

func ints(s []int32) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[i] = int(v)
	}
	return out
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestFullMNIST(t *testing.T) {
	dir := filepath.Join(sharedData(t), "mnist")
	t.Run("files match Sources checksums", func(t *testing.T) {
		for _, f := range Sources["mnist"].Files {
			got, err := fileSHA256(filepath.Join(dir, f.Name))
			if err != nil {
				t.Fatal(err)
			}
			if got != f.SHA256 {
				t.Errorf("%s: sha256 %s, Sources says %s", f.Name, got, f.SHA256)
			}
		}
	})
	start := time.Now()
	set, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("LoadMNIST(%s): %v", dir, time.Since(start))
	checkImageSet(t, set, imageSetWant{
		numTrain: 60000, numTest: 10000, height: 28, width: 28, channels: 1,
		trainHist: []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
		testHist:  []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009},
	})
}

func TestFullCIFAR10(t *testing.T) {
	path := filepath.Join(sharedData(t), "cifar-10-binary.tar.gz")
	start := time.Now()
	set, err := LoadCIFAR10(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("LoadCIFAR10(%s): %v", path, time.Since(start))
	checkImageSet(t, set, imageSetWant{
		numTrain: 50000, numTest: 10000, height: 32, width: 32, channels: 3,
		trainHist: slices.Repeat([]int{5000}, 10),
		testHist:  slices.Repeat([]int{1000}, 10),
	})
	// The README's per-channel training means pin the R, G, B order of NHWC.
	t.Run("channel means", func(t *testing.T) {
		var sums [3]float64
		for i, v := range set.TrainImages {
			sums[i%3] += float64(v)
		}
		want := [3]float64{0.49139968, 0.48215841, 0.44653091}
		for c := range sums {
			got := sums[c] / 255 / float64(len(set.TrainImages)/3)
			if diff := got - want[c]; diff > 1e-6 || diff < -1e-6 {
				t.Errorf("channel %d mean %.8f, want %.8f", c, got, want[c])
			}
		}
	})
}

func TestFullLocate(t *testing.T) {
	root := sharedData(t)
	t.Setenv(DataDirEnv, "")
	tests := []struct{ name, want string }{
		{"imdb", filepath.Join(root, "aclImdb_v1.tar.gz")},
		{"mnist", filepath.Join(root, "mnist")},
		{"cifar10", filepath.Join(root, "cifar-10-binary.tar.gz")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Locate(tt.name, "")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Locate(%q) = %s, want %s", tt.name, got, tt.want)
			}
		})
	}
}

// imageSetWant describes an expected ImageSet.
type imageSetWant struct {
	numTrain, numTest, height, width, channels int
	trainHist, testHist                        []int
}

func checkImageSet(t *testing.T, set *ImageSet, want imageSetWant) {
	t.Helper()
	size := want.height * want.width * want.channels
	tests := []struct {
		name      string
		got, want any
	}{
		{"NumTrain", set.NumTrain, want.numTrain},
		{"NumTest", set.NumTest, want.numTest},
		{"shape", []int{set.Height, set.Width, set.Channels}, []int{want.height, want.width, want.channels}},
		{"len(TrainImages)", len(set.TrainImages), want.numTrain * size},
		{"len(TestImages)", len(set.TestImages), want.numTest * size},
		{"train label histogram", histogram(set.TrainLabels, len(want.trainHist)), want.trainHist},
		{"test label histogram", histogram(set.TestLabels, len(want.testHist)), want.testHist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := json.Marshal(tt.got)
			w, _ := json.Marshal(tt.want)
			if string(g) != string(w) {
				t.Errorf("got %s, want %s", g, w)
			}
		})
	}
}

func histogram(labels []uint8, classes int) []int {
	h := make([]int, classes)
	for _, l := range labels {
		if int(l) < classes {
			h[l]++
		}
	}
	return h
}
