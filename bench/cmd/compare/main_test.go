package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeSide writes a shell script that stands for one side of the benchmark: it finds the
// model, steps, batch, precision and JSON path among its arguments (either flag spelling)
// and writes a result with the given trainable parameter count, or exits with exitCode.
// A side named "float32-only" ignores -precision and reports float32.
func fakeSide(t *testing.T, dir, name string, params, exitCode int) string {
	t.Helper()
	script := `#!/bin/sh
model=""; steps=""; batch=""; out=""; prec="float32"
for a in "$@"; do
  case "$prev" in
    -model) model="$a" ;;
    -precision|--precision) [ "` + name + `" = float32-only ] || prec="$a" ;;
    -steps|--steps) steps="$a" ;;
    -batch|--batch) batch="$a" ;;
    -json|--json) out="$a" ;;
  esac
  case "$a" in *.py) model=$(basename "$a" .py) ;; esac
  prev="$a"
done
if [ ` + strconv.Itoa(exitCode) + ` -ne 0 ]; then echo "tfrun-bench: $model: tfrun side pending: not yet" >&2; exit ` + strconv.Itoa(exitCode) + `; fi
times=$(yes 0.01 | head -n "$steps" | paste -sd, -)
echo "{\"model\":\"$model\",\"framework\":\"` + name + `\",\"batch_size\":$batch,\"steps\":$steps,\"warmup\":1,\"examples_per_sec\":100,\"step_seconds\":[$times],\"first_step_seconds\":1,\"trainable_params\":` + strconv.Itoa(params) + `,\"peak_rss_bytes\":1048576,\"flops_per_step\":${batch}000000000,\"precision\":\"$prec\"}" > "$out"
`
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakePeak writes a script that stands for bench/cmd/peak: it logs as TensorFlow does
// with its oneDNN operations on and writes a measurement whose float32 peak is 200 GFLOP/s
// to its -json argument, or exits with exitCode.
func fakePeak(t *testing.T, dir string, exitCode int) string {
	t.Helper()
	script := `#!/bin/sh
if [ ` + strconv.Itoa(exitCode) + ` -ne 0 ]; then echo "peak: no TensorFlow" >&2; exit ` + strconv.Itoa(exitCode) + `; fi
echo "2026-12-06 15:08:25.613268: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results" >&2
echo '{"framework":"tensorflow 2.18.0","threads":0,"kernels":[{"name":"MatMul","dtype":"float32","flops":2,"seconds":[0.01],"gflops":200},{"name":"MatMul","dtype":"bfloat16","flops":2,"error":"no kernel"}]}' > "$2"
`
	path := filepath.Join(dir, "peak")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// twoPeaks writes a script that stands for bench/cmd/peak measuring a float32 MatMul at
// first GFLOP/s the first time it runs and at second GFLOP/s after that.
func twoPeaks(t *testing.T, dir string, first, second int) string {
	t.Helper()
	script := `#!/bin/sh
g=` + strconv.Itoa(first) + `
if [ -e "` + dir + `/ran" ]; then g=` + strconv.Itoa(second) + `; fi
touch "` + dir + `/ran"
echo "{\"framework\":\"tensorflow 2.18.0\",\"threads\":0,\"kernels\":[{\"name\":\"MatMul\",\"dtype\":\"float32\",\"flops\":2,\"seconds\":[0.01],\"gflops\":$g}]}" > "$2"
`
	path := filepath.Join(dir, "peak")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func compare(t *testing.T, tfrunParams, tfrunExit, kerasParams int, extra ...string) (int, string, string, string) {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "results.md")
	var stdout, stderr bytes.Buffer
	code := run(append([]string{
		"-tfrun", fakeSide(t, dir, "tfrun", tfrunParams, tfrunExit),
		"-python", fakeSide(t, dir, "python", kerasParams, 0),
		"-peak", fakePeak(t, dir, 0),
		"-models", "imdb_lstm,dcgan_mnist", "-rounds", "2", "-steps", "imdb_lstm=3,dcgan_mnist=2", "-out", out,
	}, extra...), &stdout, &stderr)
	md, _ := os.ReadFile(out)
	return code, stdout.String(), stderr.String(), string(md)
}

func TestCompare(t *testing.T) {
	code, stdout, stderr, md := compare(t, 7, 0, 7)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// 1 GFLOP per example at 100 ex/s on both sides: 100 GFLOP/s, half the peak.
	for _, want := range []string{"| imdb_lstm   | 32 × 3        |         1,000 |", "1.00× (1.00×–1.00×) |           100 |           100 |           50.0% |           50.0% |",
		"[round 2/2] dcgan_mnist", "[peak] float32 peak: 200 GFLOP/s (MatMul)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, want := range []string{"# tfrun vs Keras", "## Every round", "-model imdb_lstm -steps 3 -warmup 5 -batch 32 -json OUT",
		"% of peak: GFLOP/s over the float32 peak, 200 GFLOP/s", "## Peak\n", "- MatMul, bfloat16: did not run: no kernel\n",
		"which runs before and after the rounds (OUT: a temporary JSON file),\n\n    /", "/peak -json OUT\n\nand per model and round"} {
		if !strings.Contains(md, want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
}

func TestComparePeak(t *testing.T) {
	t.Run("skipped", func(t *testing.T) {
		code, stdout, stderr, md := compare(t, 7, 0, 7, "-peak", "")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if want := "|           100 |           100 |               – |               – |"; !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
		if strings.Contains(md, "## Peak") || !strings.Contains(md, "% of peak: not known") {
			t.Errorf("results.md without a peak measurement:\n%s", md)
		}
	})
	// The peak is measured before and after the rounds; a kernel counts at its faster one,
	// whichever came first.
	for _, order := range [][2]int{{150, 200}, {200, 150}} {
		t.Run(fmt.Sprintf("measured_%d_then_%d", order[0], order[1]), func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr, md := compare(t, 7, 0, 7, "-peak", twoPeaks(t, dir, order[0], order[1]))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, want := range []string{fmt.Sprintf("[peak] float32 peak: %d GFLOP/s (MatMul)", order[0]),
				fmt.Sprintf("[peak] float32 peak: %d GFLOP/s (MatMul)", order[1]),
				"[peak, the faster of the two] float32 peak: 200 GFLOP/s (MatMul)"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if want := "% of peak: GFLOP/s over the float32 peak, 200 GFLOP/s"; !strings.Contains(md, want) {
				t.Errorf("results.md lacks %q:\n%s", want, md)
			}
		})
	}
	t.Run("failed", func(t *testing.T) {
		dir := t.TempDir()
		code, _, stderr, md := compare(t, 7, 0, 7, "-peak", fakePeak(t, dir, 1))
		if want := "FAILED: peak: "; code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "no TensorFlow") {
			t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
		}
		if md != "" {
			t.Errorf("results written despite the failure:\n%s", md)
		}
	})
}

func TestCompareParamsDiffer(t *testing.T) {
	code, _, stderr, md := compare(t, 7, 0, 8)
	if want := "FAILED: imdb_lstm: trainable parameters differ: tfrun 7, Keras 8"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	if md != "" {
		t.Errorf("results written despite the failure:\n%s", md)
	}
}

func TestComparePending(t *testing.T) {
	code, stdout, stderr, md := compare(t, 7, 3, 7)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "| imdb_lstm   | 32 × 3        |             – |    pending |"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	if want := "dcgan_mnist: tfrun side pending: not yet."; !strings.Contains(md, want) {
		t.Errorf("results.md lacks %q:\n%s", want, md)
	}
}

func TestCompareUsage(t *testing.T) {
	for _, args := range [][]string{{"-rounds", "0"}, {"-models", "nope"}, {"-steps", "imdb_lstm"}, {"extra"},
		{"-precision", "mixed_float16"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %q)", args, code, stderr.String())
		}
	}
}

// -precision both runs every model under float32 and mixed_bfloat16, passes the policy to
// both sides, and writes the mixed_bfloat16 section; a side that trains in float32 when
// asked for mixed_bfloat16 fails the comparison.
func TestComparePrecisionBoth(t *testing.T) {
	code, stdout, stderr, md := compare(t, 7, 0, 7, "-precision", "both")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "[round 2/2] dcgan_mnist (mixed_bfloat16)"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	for _, want := range []string{"## mixed_bfloat16\n", "% of peak is over the bfloat16 peak.",
		"| imdb_lstm (mixed_bfloat16)   | 1     |        100 |",
		"-model imdb_lstm -steps 3 -warmup 5 -batch 32 -json OUT -precision mixed_bfloat16",
		"/imdb_lstm.py --steps 3 --warmup 5 --batch 32 --json OUT --precision mixed_bfloat16",
		"| imdb_lstm   | 32 × 3        |             100 |             100 |        1.00× (1.00×–1.00×) |          1.00× |          1.00× |"} {
		if !strings.Contains(md, want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}

	dir := t.TempDir()
	code, _, stderr, _ = compare(t, 7, 0, 7, "-precision", "mixed_bfloat16", "-tfrun", fakeSide(t, dir, "float32-only", 7, 0))
	if want := `reported precision "float32", want "mixed_bfloat16"`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
}

// The report names the oneDNN setting TensorFlow logged, and -archive writes a copy named
// by the CPU model.
func TestCompareMachine(t *testing.T) {
	archive := t.TempDir()
	code, _, stderr, md := compare(t, 7, 0, 7, "-archive", archive)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(md, "\n- oneDNN: on (TF_ENABLE_ONEDNN_OPTS") {
		t.Errorf("results.md does not say oneDNN is on:\n%s", md)
	}
	copies, err := filepath.Glob(filepath.Join(archive, "bench_results_*.md"))
	if err != nil || len(copies) != 1 {
		t.Fatalf("archive holds %q (%v), want one bench_results_<cpu>.md", copies, err)
	}
	if b, err := os.ReadFile(copies[0]); err != nil || string(b) != md {
		t.Errorf("%s differs from results.md (%v)", copies[0], err)
	}
	_, _, _, md = compare(t, 7, 0, 7, "-peak", "")
	if strings.Contains(md, "- oneDNN: on") || strings.Contains(md, "- oneDNN: off") || !strings.Contains(md, "- oneDNN: TF_ENABLE_ONEDNN_OPTS") {
		t.Errorf("without the peak's log, results.md should give the variable alone:\n%s", md)
	}
}
