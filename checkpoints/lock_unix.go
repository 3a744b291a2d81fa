//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package checkpoints

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// LockFile is the file in a checkpoint directory that Lock holds.
const LockFile = ".lock"

// ErrLocked: another process holds the directory's lock.
var ErrLocked = errors.New("checkpoints: directory in use")

// Lock takes an exclusive advisory lock (flock) on dir/.lock, creating dir if needed, so two
// runs never write one checkpoint directory. The kernel releases it when the process
// ends, however it ends (kill -9 included), so a stale lock never blocks a resume. The
// returned func releases it.
func Lock(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &Error{Op: "locking", Path: dir, Err: err}
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, &Error{Op: "locking", Path: dir, Err: err}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		holder := ""
		if pid, perr := strconv.Atoi(string(bytes.TrimSpace(b[:n]))); perr == nil {
			holder = fmt.Sprintf(" (pid %d)", pid)
		}
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &Error{Op: "locking", Path: dir, Kind: ErrLocked, Err: fmt.Errorf("another tfrun process%s is using this checkpoint directory", holder)}
		}
		return nil, &Error{Op: "locking", Path: dir, Err: err}
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
