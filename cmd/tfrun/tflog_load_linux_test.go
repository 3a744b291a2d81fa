package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The linker keeps the preinit hook (DT_PREINIT_ARRAY), the hook ran in this test binary,
// and it knows the filter process's argument.
func TestLoadHookLinked(t *testing.T) {
	f, err := elf.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, err := f.DynValue(elf.DT_PREINIT_ARRAY); err != nil || len(v) == 0 {
		t.Errorf("%s has no DT_PREINIT_ARRAY (%v): the preinit hook was dropped", os.Args[0], err)
	}
	if !loadHookRan() {
		t.Error("the preinit hook did not run")
	}
	if got := preinitFilterArg(); got != stderrFilterArg {
		t.Errorf("the preinit hook's filter argument is %q, stderrFilterArg %q", got, stderrFilterArg)
	}
}

// The preinit hook (C) decides as wantTensorFlowInfo (Go) does.
func TestPreinitWantsInfo(t *testing.T) {
	for _, c := range tensorFlowInfoCases {
		if got := preinitWantsInfo(c.args, c.env); got != c.want {
			t.Errorf("preinit hook on %q, env %q: %v, want %v", c.args, c.env, got, c.want)
		}
	}
}

// TensorFlow's libraries log while they load, before main (the oneDNN note, forced on any
// CPU by TF_ENABLE_ONEDNN_OPTS=1): a plain run keeps the INFO line off stderr, -v and a
// TF_CPP_MIN_LOG_LEVEL of the user's let it through.
func TestTensorFlowLoadQuiet(t *testing.T) {
	const oneDNN = "] oneDNN custom operations are on."
	for _, c := range []struct {
		name   string
		args   []string
		env    []string
		wantIn bool
	}{
		{"onednn=1", nil, []string{"TF_ENABLE_ONEDNN_OPTS=1"}, false},
		{"onednn=0", nil, []string{"TF_ENABLE_ONEDNN_OPTS=0"}, false},
		{"onednn=1 -v", []string{"-v"}, []string{"TF_ENABLE_ONEDNN_OPTS=1"}, true},
		{"onednn=1 level=0", nil, []string{"TF_ENABLE_ONEDNN_OPTS=1", "TF_CPP_MIN_LOG_LEVEL=0"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, err := runVersion(t, c.args, c.env)
			if err != nil {
				t.Fatalf("tfrun -version: %v\n%s", err, stderr)
			}
			if !strings.HasPrefix(stdout, "tfrun ") {
				t.Errorf("stdout %q", stdout)
			}
			if c.wantIn && !strings.Contains(stderr, oneDNN) {
				t.Errorf("no oneDNN INFO line on stderr:\n%s", stderr)
			}
			if !c.wantIn && stderr != "" {
				t.Errorf("stderr:\n%s", stderr)
			}
		})
	}
}

// What a library writes to stderr while it loads is held, not lost: its warnings come
// out, its INFO lines do not; and if it aborts, everything it wrote comes out before the
// process dies of SIGABRT. The library is a stand-in preloaded into tfrun.
func TestLoadStderrHeld(t *testing.T) {
	cc, err := exec.LookPath(strings.Fields(goEnv(t, "CC") + " gcc")[0])
	if err != nil {
		t.Skipf("no C compiler to build the preloaded library: %v", err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "load.c")
	lib := filepath.Join(dir, "libload.so")
	if err := os.WriteFile(src, []byte(loadLibC), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-shared", "-fPIC", "-o", lib, src).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cc, err, out)
	}
	const info = "I tensorflow/core/util/port.cc:153] an INFO line at load"
	const warn = "W tensorflow/core/x.cc:1] a warning at load"
	const fatal = "F tensorflow/core/platform/cpu_feature_guard.cc:37] fatal at load"
	preload := "LD_PRELOAD=" + lib

	_, stderr, err := runVersion(t, nil, []string{preload})
	if err != nil || strings.Contains(stderr, info) || !strings.Contains(stderr, warn) {
		t.Errorf("plain run (err %v): stderr has the INFO line or lacks the warning:\n%s", err, stderr)
	}
	if n := strings.Count(stderr, warn); n != 1 {
		t.Errorf("the warning came out %d times:\n%s", n, stderr)
	}
	_, stderr, err = runVersion(t, []string{"-v"}, []string{preload})
	if err != nil || !strings.Contains(stderr, info) || !strings.Contains(stderr, warn) {
		t.Errorf("-v (err %v): stderr lacks the INFO line or the warning:\n%s", err, stderr)
	}
	_, stderr, err = runVersion(t, nil, []string{preload, "TFRUN_TEST_LOAD=abort"})
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGABRT {
		t.Errorf("aborting library: err %v, want death by SIGABRT", err)
	}
	for _, s := range []string{info, warn, fatal} {
		if !strings.Contains(stderr, s) {
			t.Errorf("aborting library: %q lost:\n%s", s, stderr)
		}
	}
}

// loadLibC is a library that logs as TensorFlow does while it loads, and aborts when asked.
const loadLibC = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
__attribute__((constructor)) static void init(void) {
	fprintf(stderr, "2026-12-06 03:22:59.418482: I tensorflow/core/util/port.cc:153] an INFO line at load\n");
	fprintf(stderr, "2026-12-06 03:22:59.418490: W tensorflow/core/x.cc:1] a warning at load\n");
	const char *m = getenv("TFRUN_TEST_LOAD");
	if (m != NULL && strcmp(m, "abort") == 0) {
		fprintf(stderr, "2026-12-06 03:22:59.418495: F tensorflow/core/platform/cpu_feature_guard.cc:37] fatal at load\n");
		abort();
	}
}
`

// runVersion runs tfrun -version args... (this test binary as tfrun) with env added to the
// environment minus TF_CPP_MIN_LOG_LEVEL and TF_ENABLE_ONEDNN_OPTS.
func runVersion(t *testing.T, args, env []string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-version"}, args...)...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "TF_CPP_MIN_LOG_LEVEL=") && !strings.HasPrefix(e, "TF_ENABLE_ONEDNN_OPTS=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(append(cmd.Env, "TFRUN_TEST_CHILD=1"), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// goEnv is `go env name`, "" if go cannot say.
func goEnv(t *testing.T, name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
