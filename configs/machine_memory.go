package configs

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// MachineMemory returns the memory this process may use, in bytes, and where the figure
// comes from: /proc/meminfo's MemTotal, or the cgroup's limit when that is a number and
// lower (cgroup v2's memory.max; v1's memory.limit_in_bytes, whose "no limit" is a number
// far above any MemTotal). ok is false where none can be read (not Linux): no memory
// check is made then.
func MachineMemory() (bytes int64, where string, ok bool) {
	total, ok := memTotal("/proc/meminfo")
	where = "MemTotal in /proc/meminfo"
	for _, cg := range []struct{ path, name string }{
		{"/sys/fs/cgroup/memory.max", "the cgroup's memory.max"},
		{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "the cgroup's memory.limit_in_bytes"},
	} {
		if limit, lok := cgroupLimit(cg.path); lok && (!ok || limit < total) {
			total, where, ok = limit, cg.name, true
		}
	}
	return total, where, ok
}

// memTotal reads MemTotal (kB) from a meminfo file.
func memTotal(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || kb <= 0 || kb > 1<<53 {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

// cgroupLimit reads a cgroup memory limit: a number of bytes, or "max" (v2: no limit).
func cgroupLimit(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
