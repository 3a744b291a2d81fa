package checkpoints

import (
	"encoding/json"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// A save that cannot write (a full disk, a read-only file system, a file limit, a file
// where the directory should be) fails with an error saying why and that the earlier
// checkpoint is intact; that checkpoint stays the latest and loads, and the failed save
// leaves nothing behind. Tests run as root, which chmod cannot stop, so the failures are
// real ones: RLIMIT_FSIZE always, and a tiny tmpfs when this process may mount.
func TestManagerWriteFailures(t *testing.T) {
	cases := []struct {
		name string
		// setup returns the checkpoint directory; break makes writing fail after the
		// first save; kernel sizes the model so that one checkpoint fits where two do not.
		setup  func(t *testing.T) string
		breakW func(t *testing.T, dir string) (restore func())
		want   string
	}{
		{"file_size_limit", func(t *testing.T) string { return t.TempDir() }, func(t *testing.T, dir string) func() {
			var old syscall.Rlimit
			if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
				t.Fatal(err)
			}
			// TensorFlow writes from its own threads, where SIGXFSZ would kill the process:
			// ignored, writes past the limit fail with EFBIG as on a full disk.
			signal.Ignore(syscall.SIGXFSZ)
			lim := old
			lim.Cur = 4096
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
				t.Skipf("setrlimit: %v", err)
			}
			return func() { syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); signal.Reset(syscall.SIGXFSZ) }
		}, "File too large"},
		{"disk_full", tinyTmpfs, func(*testing.T, string) func() { return func() {} }, "No space left on device"},
		{"read_only", tinyTmpfs, func(t *testing.T, dir string) func() {
			if err := syscall.Mount("tmpfs", filepath.Dir(dir), "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY, "size=600k"); err != nil {
				t.Fatalf("remount read-only: %v", err)
			}
			return func() {}
		}, "Read-only file system"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.setup(t)
			a := newModel(t, 1, []int64{40000, 3}) // about 480 kB per checkpoint
			mg := newManager(t, a, dir, 5)
			if _, err := mg.Save(a.sess, 1, Meta{State: json.RawMessage(`{"n":1}`)}, nil); err != nil {
				t.Fatal(err)
			}
			first := a.values(t)
			a.bumpBias(t, 3)
			restore := tc.breakW(t, dir)
			_, err := mg.Save(a.sess, 2, Meta{State: json.RawMessage(`{"n":2}`)}, nil)
			restore()
			if err == nil {
				t.Fatal("the save succeeded")
			}
			t.Logf("the failed save says: %v", err)
			for _, w := range []string{tc.want, "ckpt-2", "the earlier checkpoint " + filepath.Join(dir, "ckpt-1") + " is intact"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant it to contain %q", err, w)
				}
			}
			if tc.name != "read_only" {
				if got, want := files(t, dir), bundleFiles("ckpt-1"); !slices.Equal(got, want) {
					t.Errorf("the failed save left %v, want %v", got, want)
				}
			}
			latest, err := Latest(dir)
			if err != nil || filepath.Base(latest) != "ckpt-1" {
				t.Fatalf("Latest = %q, %v; want ckpt-1", latest, err)
			}
			b := newModel(t, 2, []int64{40000, 3})
			if _, _, err := newManager(t, b, dir, 5).Restore(b.sess, latest, nil); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(b.values(t), first) {
				t.Error("ckpt-1 restores other values than it was saved with")
			}
		})
	}
	t.Run("file_in_place_of_directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "checkpoints")
		os.WriteFile(dir, []byte("not a directory"), 0o644)
		a := newModel(t, 1, []int64{2, 3})
		_, err := newManager(t, a, dir, 5).Save(a.sess, 1, Meta{}, nil)
		if err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Fatalf("err = %v, want one saying the path is not a directory", err)
		}
	})
}

// tinyTmpfs mounts a 600 kB tmpfs (one test checkpoint fits, two do not) and returns a
// directory in it; it skips the test when mounting is not permitted.
func tinyTmpfs(t *testing.T) string {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=600k"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): the disk-full and read-only variants need root with CAP_SYS_ADMIN; the file-size-limit variant covers a failed write", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	dir := filepath.Join(mnt, "checkpoints")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ckpts")
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(dir); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid") {
		t.Errorf("second Lock: err = %v, want ErrLocked naming the holder's pid", err)
	}
	unlock()
	unlock2, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}
