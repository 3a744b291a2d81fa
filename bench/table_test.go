package bench

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{Rate(12.34), "12.3"},
		{Rate(99.96), "100.0"},
		{Rate(100.4), "100"},
		{Rate(1234567.6), "1,234,568"},
		{Ratio(3.134), "3.13×"},
		{Seconds(0.2164), "0.216 s"},
		{Seconds(2.166), "2.17 s"},
		{Seconds(13.34), "13.3 s"},
		{Bytes(541065216), "516 MiB"},
		{Bytes(3 << 30), "3,072 MiB"},
		{Figure(3.932352), "3.93"},
		{Figure(39.289), "39.3"},
		{Figure(452.299), "452"},
		{Figure(1234.5), "1,235"},
		{Percent(0.90449), "90.4%"},
		{withCommas(-1234), "-1,234"},
		{withCommas(999), "999"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestMarkdown(t *testing.T) {
	got := Markdown([][]string{{"model", "ex/s"}, {"a", "1,234"}, {"longer", "5"}}, 1)
	want := "" +
		"| model  |  ex/s |\n" +
		"| ------ | ----: |\n" +
		"| a      | 1,234 |\n" +
		"| longer |     5 |\n"
	if got != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", got, want)
	}
}

func testRows() []Row {
	full := func(round int, tfrun, keras float64) (Run, Run) {
		// imdb_lstm's count: 3,932,352 FLOPs per example.
		return Run{Result: Result{BatchSize: 32, ExamplesPerSec: tfrun, FirstStepSeconds: 0.2, PeakRSSBytes: 300 << 20, FLOPsPerStep: 32 * 3932352},
				Round: round, WallSeconds: 0.5},
			Run{Result: Result{ExamplesPerSec: keras, FirstStepSeconds: 1.3, PeakRSSBytes: (500 + int64(round)) << 20}, Round: round, WallSeconds: 4.5}
	}
	lstm := Row{Model: Model{Name: "imdb_lstm", Batch: 32}, Steps: 200}
	for i, p := range [][2]float64{{7000, 2000}, {6600, 2200}, {6900, 2300}} {
		a, b := full(i, p[0], p[1])
		lstm.Tfrun, lstm.Keras = append(lstm.Tfrun, a), append(lstm.Keras, b)
	}
	gan := Row{Model: Model{Name: "dcgan_mnist", Batch: 256}, Steps: 10, TfrunPending: "tfrun side pending: no GAN"}
	for i := range 3 {
		_, b := full(i, 0, 240+float64(i))
		b.FirstStepSeconds = 3.1
		gan.Keras = append(gan.Keras, b)
	}
	return []Row{lstm, gan}
}

// testPeak's float32 peak is 200 GFLOP/s (bfloat16 kernels and failed runs do not count).
func testPeak() *Peak {
	return &Peak{Kernels: []KernelRate{
		{Name: "MatMul", DType: Float32, GFLOPS: 150},
		{Name: "Conv2D", DType: Float32, GFLOPS: 200},
		{Name: "MatMul", DType: Bfloat16, GFLOPS: 400},
		{Name: "Conv2DBackpropInput", DType: Float32, Error: "no kernel"},
	}}
}

func TestSummaryTable(t *testing.T) {
	got, err := SummaryTable(testRows(), testPeak())
	if err != nil {
		t.Fatal(err)
	}
	// imdb_lstm: ex/s medians 6,900 and 2,200; ratios 3.5, 3.0, 3.0 → median 3.00.
	// 3.932352 MFLOP/example: 27.13 GFLOP/s for tfrun (13.6% of 200), 8.651 for Keras (4.3%).
	// dcgan_mnist: no tfrun result, so no FLOP count.
	want := "" +
		"| model       | batch × steps | MFLOP/example | tfrun ex/s | Keras ex/s | tfrun/Keras (min–max) | tfrun GFLOP/s | Keras GFLOP/s | tfrun % of peak | Keras % of peak | first step tfrun | first step Keras | peak RSS tfrun | peak RSS Keras |\n" +
		"| ----------- | ------------- | ------------: | ---------: | ---------: | --------------------: | ------------: | ------------: | --------------: | --------------: | ---------------: | ---------------: | -------------: | -------------: |\n" +
		"| imdb_lstm   | 32 × 200      |          3.93 |      6,900 |      2,200 |   3.00× (3.00×–3.50×) |          27.1 |          8.65 |           13.6% |            4.3% |          0.200 s |           1.30 s |        300 MiB |        502 MiB |\n" +
		"| dcgan_mnist | 256 × 10      |             – |    pending |        241 |    tfrun side pending |             – |             – |               – |               – |                – |           3.10 s |              – |        502 MiB |\n"
	if got != want {
		t.Errorf("SummaryTable:\n%s\nwant:\n%s", got, want)
	}

	// Without a measured peak the shares are unknown.
	got, err = SummaryTable(testRows()[:1], nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "|          27.1 |          8.65 |               – |               – |"; !strings.Contains(got, want) {
		t.Errorf("SummaryTable without a peak:\n%s\nlacks %q", got, want)
	}
}

func TestRoundsTable(t *testing.T) {
	got := RoundsTable(testRows())
	want := "" +
		"| model       | round | tfrun ex/s | Keras ex/s | ratio | tfrun process | Keras process |\n" +
		"| ----------- | ----- | ---------: | ---------: | ----: | ------------: | ------------: |\n" +
		"| imdb_lstm   | 1     |      7,000 |      2,000 | 3.50× |       0.500 s |        4.50 s |\n" +
		"| imdb_lstm   | 2     |      6,600 |      2,200 | 3.00× |       0.500 s |        4.50 s |\n" +
		"| imdb_lstm   | 3     |      6,900 |      2,300 | 3.00× |       0.500 s |        4.50 s |\n" +
		"| dcgan_mnist | 1     |    pending |        240 |     – |             – |        4.50 s |\n" +
		"| dcgan_mnist | 2     |    pending |        241 |     – |             – |        4.50 s |\n" +
		"| dcgan_mnist | 3     |    pending |        242 |     – |             – |        4.50 s |\n"
	if got != want {
		t.Errorf("RoundsTable:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteReadResult(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	want := Result{Model: "m", Framework: "fw", BatchSize: 2, Steps: 1, Warmup: 1, ExamplesPerSec: 4,
		StepSeconds: []float64{0.5}, FirstStepSeconds: 1, TrainableParams: 7, PeakRSSBytes: 1 << 20, FLOPsPerStep: 1 << 40}
	if err := WriteResult(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResult(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Model != want.Model || got.TrainableParams != want.TrainableParams || len(got.StepSeconds) != 1 || got.PeakRSSBytes != want.PeakRSSBytes ||
		got.FLOPsPerStep != want.FLOPsPerStep {
		t.Errorf("read back %+v, want %+v", got, want)
	}
}
