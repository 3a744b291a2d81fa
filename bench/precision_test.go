package bench

import (
	"strings"
	"testing"

	"github.com/tfrun/tfrun/configs"
)

func TestWithPrecision(t *testing.T) {
	for _, tc := range []struct {
		model, precision string
		bf16             bool // the CPU has bfloat16 arithmetic
		steps, warmup    int
	}{
		{"dcgan_mnist", Float32, false, 10, 2},
		{"dcgan_mnist", "", false, 10, 2},
		{"dcgan_mnist", configs.PrecisionMixedBFloat16, false, 2, 1}, // bfloat16 backward convolutions are slow here
		{"dcgan_mnist", configs.PrecisionMixedBFloat16, true, 10, 2},
		{"imdb_lstm", configs.PrecisionMixedBFloat16, false, 200, 5},
	} {
		m, err := FindModel(tc.model)
		if err != nil {
			t.Fatal(err)
		}
		got := m.WithPrecision(tc.precision, tc.bf16)
		if got.Precision != PrecisionOf(tc.precision) || got.Steps != tc.steps || got.Warmup != tc.warmup {
			t.Errorf("%s under %q (bfloat16 arithmetic %v): precision %q, %d steps, %d warm-up; want %q, %d, %d", tc.model, tc.precision, tc.bf16,
				got.Precision, got.Steps, got.Warmup, PrecisionOf(tc.precision), tc.steps, tc.warmup)
		}
	}
}

func TestHasBFloat16Arithmetic(t *testing.T) {
	for _, tc := range []struct {
		exts []string
		want bool
	}{
		{[]string{"AVX2", "FMA"}, false},
		{[]string{"AVX2", "FMA", "AVX-512", "AVX512_VNNI"}, false},
		{[]string{"AVX2", "AVX-512", "AVX512_BF16"}, true},
		{[]string{"AVX2", "AVX-512", "AMX", "AMX_BF16"}, true},
	} {
		if got := HasBFloat16Arithmetic(tc.exts); got != tc.want {
			t.Errorf("HasBFloat16Arithmetic(%q) = %v, want %v", tc.exts, got, tc.want)
		}
	}
}

func TestSelectPrecisions(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", "float32"}, {"float32", "float32"}, {"mixed_bfloat16", "mixed_bfloat16"}, {"both", "float32,mixed_bfloat16"},
	} {
		got, err := SelectPrecisions(tc.in)
		if err != nil || strings.Join(got, ",") != tc.want {
			t.Errorf("SelectPrecisions(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := SelectPrecisions("mixed_float16"); err == nil || !strings.Contains(err.Error(), `unknown precision "mixed_float16"`) {
		t.Errorf("mixed_float16: err %v", err)
	}
}

// A result of the wrong precision does not count for a model.
func TestResultCheckPrecision(t *testing.T) {
	m, _ := FindModel("imdb_lstm")
	r := Result{Model: "imdb_lstm", BatchSize: 32, Steps: 1, StepSeconds: []float64{1}, ExamplesPerSec: 32, TrainableParams: 1}
	if err := r.Check(m, 1); err != nil {
		t.Errorf("float32 model, result without precision: %v", err)
	}
	if err := r.Check(m.WithPrecision(configs.PrecisionMixedBFloat16, false), 1); err == nil || !strings.Contains(err.Error(), `reported precision "float32", want "mixed_bfloat16"`) {
		t.Errorf("mixed model, float32 result: err %v", err)
	}
	r.Precision = configs.PrecisionMixedBFloat16
	if err := r.Check(m.WithPrecision(configs.PrecisionMixedBFloat16, false), 1); err != nil {
		t.Errorf("mixed model, mixed result: %v", err)
	}
}

// PrecisionTable sets each mixed row against Keras's mixed row and both sides' float32 rows.
func TestPrecisionTable(t *testing.T) {
	m, _ := FindModel("imdb_lstm")
	run := func(round int, exPerSec float64) Run {
		return Run{Result: Result{ExamplesPerSec: exPerSec}, Round: round}
	}
	f32 := Row{Model: m, Steps: 3, Tfrun: []Run{run(0, 300)}, Keras: []Run{run(0, 200)}}
	mixed := Row{Model: m.WithPrecision(configs.PrecisionMixedBFloat16, false), Steps: 3, Tfrun: []Run{run(0, 150)}, Keras: []Run{run(0, 100)}}
	a, b := SplitPrecisions([]Row{mixed, f32})
	if len(a) != 1 || len(b) != 1 || a[0].Label() != "imdb_lstm" || b[0].Label() != "imdb_lstm (mixed_bfloat16)" {
		t.Fatalf("SplitPrecisions: %v, %v", a, b)
	}
	got, err := PrecisionTable(b, a)
	if err != nil {
		t.Fatal(err)
	}
	// 150/100 against Keras; 150/300 and 100/200 against float32.
	if want := "| imdb_lstm | 32 × 3        |             150 |             100 |        1.50× (1.50×–1.50×) |          0.50× |          0.50× |"; !strings.Contains(got, want) {
		t.Errorf("table lacks %q:\n%s", want, got)
	}
}
