package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeSide writes a shell script that stands for one side of the benchmark: it finds the
// model, steps, batch and JSON path among its arguments (either flag spelling) and writes a
// result with the given trainable parameter count, or exits with exitCode.
func fakeSide(t *testing.T, dir, name string, params, exitCode int) string {
	t.Helper()
	script := `#!/bin/sh
model=""; steps=""; batch=""; out=""
for a in "$@"; do
  case "$prev" in
    -model) model="$a" ;;
    -steps|--steps) steps="$a" ;;
    -batch|--batch) batch="$a" ;;
    -json|--json) out="$a" ;;
  esac
  case "$a" in *.py) model=$(basename "$a" .py) ;; esac
  prev="$a"
done
if [ ` + strconv.Itoa(exitCode) + ` -ne 0 ]; then echo "tfrun-bench: $model: tfrun side pending: not yet" >&2; exit ` + strconv.Itoa(exitCode) + `; fi
times=$(yes 0.01 | head -n "$steps" | paste -sd, -)
echo "{\"model\":\"$model\",\"framework\":\"` + name + `\",\"batch_size\":$batch,\"steps\":$steps,\"warmup\":1,\"examples_per_sec\":100,\"step_seconds\":[$times],\"first_step_seconds\":1,\"trainable_params\":` + strconv.Itoa(params) + `,\"peak_rss_bytes\":1048576}" > "$out"
`
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func compare(t *testing.T, tfrunParams, tfrunExit, kerasParams int) (int, string, string, string) {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "results.md")
	var stdout, stderr bytes.Buffer
	code := run([]string{
		"-tfrun", fakeSide(t, dir, "tfrun", tfrunParams, tfrunExit),
		"-python", fakeSide(t, dir, "python", kerasParams, 0),
		"-models", "imdb_lstm,dcgan_mnist", "-rounds", "2", "-steps", "imdb_lstm=3,dcgan_mnist=2", "-out", out,
	}, &stdout, &stderr)
	md, _ := os.ReadFile(out)
	return code, stdout.String(), stderr.String(), string(md)
}

func TestCompare(t *testing.T) {
	code, stdout, stderr, md := compare(t, 7, 0, 7)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"| imdb_lstm   | 32 × 3", "1.00× (1.00×–1.00×)", "[round 2/2] dcgan_mnist"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, want := range []string{"# tfrun vs Keras", "## Every round", "-model imdb_lstm -steps 3 -warmup 5 -batch 32 -json OUT"} {
		if !strings.Contains(md, want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
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
	if want := "| imdb_lstm   | 32 × 3        |    pending |"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	if want := "dcgan_mnist: tfrun side pending: not yet."; !strings.Contains(md, want) {
		t.Errorf("results.md lacks %q:\n%s", want, md)
	}
}

func TestCompareUsage(t *testing.T) {
	for _, args := range [][]string{{"-rounds", "0"}, {"-models", "nope"}, {"-steps", "imdb_lstm"}, {"extra"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %q)", args, code, stderr.String())
		}
	}
}
