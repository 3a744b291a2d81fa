package thirdparty

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const gpuWheel = "tensorflow-2.18.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"

// gpuPins is the pin table of libtensorflow-gpu.sh and the digest its stamp file holds.
func gpuPins(t *testing.T) (lines []string, digest string) {
	t.Helper()
	b, err := os.ReadFile("libtensorflow-gpu.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\nPINS="(.*?)"\n`).FindSubmatch(b)
	if m == nil {
		t.Fatal("libtensorflow-gpu.sh: no PINS=\"...\"")
	}
	sum := sha256.Sum256(m[1])
	for _, l := range strings.Split(string(m[1]), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, hex.EncodeToString(sum[:])
}

// The pins are the 13 wheels of tensorflow[and-cuda]==2.18.0, each with a sha256.
func TestGPUPins(t *testing.T) {
	lines, _ := gpuPins(t)
	if len(lines) != 13 {
		t.Fatalf("%d pinned wheels, want 13 (tensorflow and the 12 NVIDIA wheels)", len(lines))
	}
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 2 || !strings.HasSuffix(f[0], ".whl") || !hex64.MatchString(f[1]) {
			t.Errorf("pin %q: want <wheel file> <sha256>", l)
		}
	}
	if !strings.HasPrefix(lines[0], gpuWheel+" ") {
		t.Errorf("first pin %q, want the tensorflow wheel %s", lines[0], gpuWheel)
	}
}

// A TensorFlow wheel whose sha256 does not match is fetched again, then rejected: the
// script fails, and neither a half-made library nor a temporary folder is left behind.
func TestGPUCorruptDownloadIsNeverUsed(t *testing.T) {
	env := fakePip(t, `mkdir -p "$dest" && echo corrupt > "$dest/`+gpuWheel+`"`)
	dest := filepath.Join(t.TempDir(), "libtensorflow-gpu")
	cmd := exec.Command("bash", "libtensorflow-gpu.sh", dest)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("script succeeded on a corrupt wheel:\n%s", out)
	}
	if !strings.Contains(string(out), "want 70b8dd70") {
		t.Errorf("output does not report the hash mismatch:\n%s", out)
	}
	if n := calls(env); n != 2 {
		t.Errorf("pip ran %d times, want 2 (one retry)", n)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed fetch", dest)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".libtensorflow-gpu-fetch.*"))
	if len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

// LIBTENSORFLOW_GPU_WHEELS is a cache: a wheel there that does not match its pin is
// deleted, and pip is asked for the missing wheels into that folder, for both platform
// tags the wheels use; the folder itself stays.
func TestGPUWheelCache(t *testing.T) {
	env := fakePip(t, "exit 1")
	cache := t.TempDir()
	bad := filepath.Join(cache, "nvidia_cublas_cu12-12.5.3.2-py3-none-manylinux2014_x86_64.whl")
	if err := os.WriteFile(bad, []byte("corrupt"), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "libtensorflow-gpu")
	cmd := exec.Command("bash", "libtensorflow-gpu.sh", dest)
	cmd.Env = append(env, "LIBTENSORFLOW_GPU_WHEELS="+cache)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("script succeeded without wheels:\n%s", out)
	}
	if !strings.Contains(string(out), "want ca070ad7") {
		t.Errorf("output does not report the cached wheel's hash mismatch:\n%s", out)
	}
	if _, err := os.Stat(bad); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the corrupt cached wheel is still there (%v)", err)
	}
	if _, err := os.Stat(cache); err != nil {
		t.Errorf("the cache folder is gone: %v", err)
	}
	args := strings.Split(strings.TrimSpace(pipArgs(env)), "\n")
	if len(args) != 2 {
		t.Fatalf("pip ran %d times, want 2:\n%s", len(args), pipArgs(env))
	}
	for _, want := range []string{"-d " + cache, "--platform manylinux_2_17_x86_64", "--platform manylinux2014_x86_64",
		"tensorflow==2.18.0", "nvidia-cublas-cu12==12.5.3.2", "nvidia-cudnn-cu12==9.3.0.75", "nvidia-nccl-cu12==2.21.5"} {
		if !strings.Contains(args[0], want) {
			t.Errorf("pip's arguments lack %q: %s", want, args[0])
		}
	}
	if !strings.Contains(args[1], "--no-cache-dir") {
		t.Errorf("the retry does not bypass pip's cache: %s", args[1])
	}
}

// A complete library (stamp matching the pins) is not fetched again.
func TestGPUSecondRunDoesNothing(t *testing.T) {
	_, digest := gpuPins(t)
	env := fakePip(t, "exit 1")
	dest := filepath.Join(t.TempDir(), "libtensorflow-gpu")
	for _, f := range []string{"lib/libtensorflow_cc.so.2", "lib/libtensorflow_framework.so.2", "include/tensorflow/c/c_api.h", "nvidia/cudnn/lib/libcudnn.so.9"} {
		p := filepath.Join(dest, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	}
	os.WriteFile(filepath.Join(dest, ".complete"), []byte(digest+"\n"), 0o644)
	cmd := exec.Command("bash", "libtensorflow-gpu.sh", dest)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("second run failed: %v\n%s", err, out)
	}
	if n := calls(env); n != 0 {
		t.Errorf("pip ran %d times, want 0", n)
	}
}

// The fetched GPU library's layout: every CUDA library TensorFlow dlopens by name
// (tsl's DsoLoader, TensorFlow 2.18) is found through the RUNPATH of both TensorFlow
// libraries, $ORIGIN expanded, and so is every library those need that the wheels ship.
// `make gpu-check` asks TensorFlow's own loader; this test reads the ELF files.
func TestGPULayout(t *testing.T) {
	dir, err := filepath.Abs("libtensorflow-gpu")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".complete")); errors.Is(err, fs.ErrNotExist) {
		t.Skip("third_party/libtensorflow-gpu/.complete does not exist: the GPU library is not fetched (make libtensorflow-gpu)")
	}
	dlopened := []string{"libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcufft.so.11",
		"libcusolver.so.11", "libcusparse.so.12", "libcupti.so.12", "libcudnn.so.9", "libnccl.so.2"}
	for _, lib := range []string{"libtensorflow_framework.so.2", "libtensorflow_cc.so.2"} {
		for _, name := range dlopened {
			if _, ok := resolve(t, filepath.Join(dir, "lib", lib), name); !ok {
				t.Errorf("%s: %s is not found through its RUNPATH", lib, name)
			}
		}
	}
	// cuDNN's runtime fusion dlopens libnvrtc.so.12 ("libnvrtc.so.%d" in libcudnn_graph)
	// through its RUNPATH's ../../nvrtc/lib: the nvidia/nvrtc link.
	if _, ok := resolve(t, filepath.Join(dir, "nvidia/cudnn/lib/libcudnn_graph.so.9"), "libnvrtc.so.12"); !ok {
		t.Error("libcudnn_graph.so.9: libnvrtc.so.12 is not found through its RUNPATH")
	}
	// What the NVIDIA libraries need from each other (cuSOLVER: nvJitLink, cuSPARSE,
	// cuBLAS; cuDNN's parts: each other).
	shipped := map[string]bool{}
	libs, _ := filepath.Glob(filepath.Join(dir, "nvidia", "*", "lib", "*.so*"))
	for _, l := range libs {
		shipped[filepath.Base(l)] = true
	}
	for _, l := range libs {
		f, err := elf.Open(l)
		if err != nil {
			t.Errorf("%s: %v", l, err)
			continue
		}
		needed, _ := f.ImportedLibraries()
		f.Close()
		for _, n := range needed {
			if !shipped[n] {
				continue // the system's (libc, libstdc++, libz, ...)
			}
			if _, ok := resolve(t, l, n); !ok {
				t.Errorf("%s needs %s: not found through its RUNPATH", strings.TrimPrefix(l, dir+"/"), n)
			}
		}
	}
}

// resolve finds name through the RUNPATH of the ELF file from, as the dynamic linker does
// for a dlopen or DT_NEEDED from it (no LD_LIBRARY_PATH).
func resolve(t *testing.T, from, name string) (string, bool) {
	t.Helper()
	f, err := elf.Open(from)
	if err != nil {
		t.Fatalf("%s: %v", from, err)
	}
	defer f.Close()
	paths, _ := f.DynString(elf.DT_RUNPATH)
	if len(paths) == 0 {
		paths, _ = f.DynString(elf.DT_RPATH)
	}
	for _, rp := range paths {
		for _, d := range strings.Split(rp, ":") {
			d = strings.ReplaceAll(d, "$ORIGIN", filepath.Dir(from))
			if p := filepath.Join(d, name); fileExists(p) {
				return p, true
			}
		}
	}
	return "", false
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
