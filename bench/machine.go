package bench

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
)

// CPUModel returns the first processor's "model name" in the text of /proc/cpuinfo ("" if
// none). A virtual machine often shows a family's name only ("AMD EPYC" on a Zen 3, a
// Zen 4 and a Zen 5 alike, whose kernels and peaks differ): a name without a digit gets
// the processor's "cpu family" and "model" numbers, "AMD EPYC (family 26, model 2)", so
// that CPUs TensorFlow runs differently are reported, and archived (MachineSlug), apart.
func CPUModel(cpuinfo string) string {
	var name, family, model string
	sc := bufio.NewScanner(strings.NewReader(cpuinfo))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "processor" && name+family+model != "" {
			break // the first processor's lines only
		}
		switch k {
		case "model name":
			name = v
		case "cpu family":
			family = v
		case "model":
			model = v
		}
	}
	if name == "" || strings.ContainsAny(name, "0123456789") || family == "" || model == "" {
		return name
	}
	return fmt.Sprintf("%s (family %s, model %s)", name, family, model)
}

// MemTotal returns MemTotal in bytes from the text of /proc/meminfo (0 if absent).
func MemTotal(meminfo string) int64 {
	sc := bufio.NewScanner(strings.NewReader(meminfo))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(k) != "MemTotal" {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0
		}
		return n * 1024
	}
	return 0
}

// LoadAverage returns the 1, 5 and 15-minute load averages from the text of /proc/loadavg
// ("0.52 0.48 0.40"; "" if malformed).
func LoadAverage(loadavg string) string {
	f := strings.Fields(loadavg)
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
