// Package thirdparty embeds the libtensorflow fetch script (cmd/tfrun-env runs it); its test checks the script.
package thirdparty

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const wheel = "tensorflow_cpu-2.18.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"

// fakePip puts a pip3 on PATH that runs body (a shell snippet; "$dest" is its -d folder)
// and records each call's arguments (see pipArgs).
func fakePip(t *testing.T, body string) []string {
	t.Helper()
	bin := t.TempDir()
	script := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo fake; exit 0; fi\n" +
		"echo \"$*\" >> " + filepath.Join(bin, "args") + "\n" +
		"dest=''; while [ $# -gt 0 ]; do if [ \"$1\" = -d ]; then dest=$2; fi; shift; done\n" +
		"echo called >> " + filepath.Join(bin, "calls") + "\n" + body + "\n"
	if err := os.WriteFile(filepath.Join(bin, "pip3"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
}

func calls(env []string) int { return strings.Count(fakeFile(env, "calls"), "called") }

// pipArgs is the arguments of each call of the fake pip, one line a call.
func pipArgs(env []string) string { return fakeFile(env, "args") }

func fakeFile(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- { // the last PATH wins, as in exec.Cmd
		if p, ok := strings.CutPrefix(env[i], "PATH="); ok {
			b, _ := os.ReadFile(filepath.Join(strings.SplitN(p, ":", 2)[0], name))
			return string(b)
		}
	}
	return ""
}

// A download whose sha256 does not match the pinned one is fetched again, then rejected:
// the script fails, and neither the bad file nor a half-made library is left behind.
func TestCorruptDownloadIsNeverUsed(t *testing.T) {
	env := fakePip(t, `mkdir -p "$dest" && echo corrupt > "$dest/`+wheel+`"`)
	dest := filepath.Join(t.TempDir(), "libtensorflow")
	cmd := exec.Command("bash", "libtensorflow.sh", dest)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("script succeeded on a corrupt wheel:\n%s", out)
	}
	if !strings.Contains(string(out), "want 089e7174") {
		t.Errorf("output does not report the hash mismatch:\n%s", out)
	}
	if n := calls(env); n != 2 {
		t.Errorf("pip ran %d times, want 2 (one retry)", n)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed fetch", dest)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".libtensorflow-fetch.*"))
	if len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

// A complete library (stamp matching the pinned hash) is not fetched again.
func TestSecondRunDoesNothing(t *testing.T) {
	env := fakePip(t, "exit 1")
	dest := filepath.Join(t.TempDir(), "libtensorflow")
	for _, f := range []string{"lib/libtensorflow_cc.so.2", "lib/libtensorflow_framework.so.2", "include/tensorflow/c/c_api.h"} {
		p := filepath.Join(dest, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	}
	os.WriteFile(filepath.Join(dest, ".complete"), []byte("089e71746960ea581dca53401f84b3b99c8537313e337a9e5dbf97036a936f7e\n"), 0o644)
	cmd := exec.Command("bash", "libtensorflow.sh", dest)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("second run failed: %v\n%s", err, out)
	}
	if n := calls(env); n != 0 {
		t.Errorf("pip ran %d times, want 0", n)
	}
}
