package graphs

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
)

func TestDecideMalloc(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		tuned   bool
		reason  string // a substring of the reason, when not tuned
		wantErr string
	}{
		{name: "unset", env: nil, tuned: true},
		{name: "on", env: map[string]string{MallocEnvVar: "on"}, tuned: true},
		{name: "1", env: map[string]string{MallocEnvVar: " 1 "}, tuned: true},
		{name: "off", env: map[string]string{MallocEnvVar: "0"}, reason: "TFRUN_MALLOC=0"},
		{name: "false", env: map[string]string{MallocEnvVar: "False"}, reason: "TFRUN_MALLOC=False"},
		{name: "user's mmap max", env: map[string]string{"MALLOC_MMAP_MAX_": "65536"}, reason: "MALLOC_MMAP_MAX_ is set"},
		{name: "user's trim threshold", env: map[string]string{"MALLOC_TRIM_THRESHOLD_": "131072"}, reason: "MALLOC_TRIM_THRESHOLD_ is set"},
		{name: "user's arena max", env: map[string]string{"MALLOC_ARENA_MAX": "4"}, reason: "MALLOC_ARENA_MAX is set"},
		{name: "user's tunables", env: map[string]string{"GLIBC_TUNABLES": "glibc.malloc.mmap_max=0"}, reason: "GLIBC_TUNABLES is set"},
		{name: "off wins over user's", env: map[string]string{MallocEnvVar: "off", "MALLOC_MMAP_MAX_": "0"}, reason: "TFRUN_MALLOC=off"},
		{name: "bad value", env: map[string]string{MallocEnvVar: "yes please"}, wantErr: `TFRUN_MALLOC="yes please": unknown value (valid: 1, true, on; 0, false, off)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decideMalloc(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Tuned != tc.tuned {
				t.Errorf("Tuned %v, want %v (%+v)", got.Tuned, tc.tuned, got)
			}
			if want := MallocArenas(runtime.NumCPU()); got.Tuned && got.Arenas != want {
				t.Errorf("Arenas %d, want %d", got.Arenas, want)
			}
			if !tc.tuned && !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("reason %q, want it to contain %q", got.Reason, tc.reason)
			}
		})
	}
}

// A session's creation tunes glibc's malloc on Linux (this test's environment sets none
// of the variables that stop it, which the test checks first).
// The arena limit set in C when the program is loaded (tfrun_early_arenas) follows
// decideMalloc's rule: set, to MallocArenas, exactly where decideMalloc tunes; not set
// where it does not or where TFRUN_MALLOC's value is an error (the run stops then).
func TestEarlyArenaRule(t *testing.T) {
	if mallocArenas() < 0 {
		t.Skip("no glibc malloc here (mallocArenas -1): nothing is set when the program is loaded")
	}
	vars := append([]string{MallocEnvVar}, glibcMallocVars...)
	cases := []map[string]string{
		nil,
		{MallocEnvVar: "on"}, {MallocEnvVar: " TRUE "}, {MallocEnvVar: "1"}, {MallocEnvVar: ""},
		{MallocEnvVar: "0"}, {MallocEnvVar: "Off"}, {MallocEnvVar: "false"}, {MallocEnvVar: "yes please"},
		{MallocEnvVar: "off", "MALLOC_ARENA_MAX": "2"},
	}
	for _, name := range glibcMallocVars {
		cases = append(cases, map[string]string{name: "1"})
	}
	for _, env := range cases {
		t.Run(fmt.Sprint(env), func(t *testing.T) {
			for _, name := range vars {
				t.Setenv(name, env[name]) // "" where the case has none: unset for both rules
			}
			want := 0
			if d, err := decideMalloc(os.Getenv); err == nil && d.Tuned {
				want = d.Arenas
			}
			if got := earlyLimit(); got != want {
				t.Errorf("the C rule sets %d arenas, decideMalloc %d (0: none)", got, want)
			}
		})
	}
}

func TestNewSessionTunesMalloc(t *testing.T) {
	want, err := decideMalloc(os.Getenv)
	if err != nil || !want.Tuned {
		t.Skipf("the environment turns the tuning off: %+v %v", want, err)
	}
	g := NewGraph(tf.Float, 1)
	g.Root().Const(float32(1))
	s, err := NewSession(g, SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := TuneMalloc()
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && !got.Tuned {
		t.Errorf("on Linux (glibc) malloc not tuned: %s", got.Reason)
	}
}

func TestMallocArenas(t *testing.T) {
	for _, tc := range []struct{ cpus, want int }{
		{1, 1}, {2, 1}, {4, 1}, {7, 1}, {8, 2}, {64, 16},
	} {
		if got := MallocArenas(tc.cpus); got != tc.want {
			t.Errorf("MallocArenas(%d) = %d, want %d", tc.cpus, got, tc.want)
		}
	}
}

// The arena limit is set when the program is loaded, to MallocArenas's number, and it
// holds: threads that allocate at once share the allowed arenas instead of each getting
// its own (glibc's default allows 8 per CPU).
func TestMallocArenaLimit(t *testing.T) {
	got, err := TuneMalloc()
	if err != nil || !got.Tuned {
		t.Skipf("the environment turns the tuning off: %+v %v", got, err)
	}
	if runtime.GOOS != "linux" {
		t.Skip("glibc's malloc only")
	}
	if n := earlyArenas(); n != got.Arenas {
		t.Errorf("the limit set at load is %d arenas, want MallocArenas's %d", n, got.Arenas)
	}
	threads := got.Arenas + 8
	if err := allocOnThreads(threads); err != nil {
		t.Fatal(err)
	}
	if n := mallocArenas(); n > got.Arenas {
		t.Errorf("%d arenas after %d threads allocated at once, want at most %d", n, threads, got.Arenas)
	}
}
