package bench

import (
	"fmt"
	"math"
	"strings"
)

// Pending is what the table shows where tfrun has no numbers yet.
const Pending = "tfrun side pending"

// SummaryTable renders one Markdown row per model: the training FLOPs per example (counted
// from tfrun's graph), examples/s on each side (median over rounds), the tfrun/Keras ratio
// (median of the per-round ratios, with their min–max), the FLOP/s each side achieved and
// their share of the float32 peak (peak: bench/cmd/peak's measurement; nil when it was not
// measured), time to the end of the first step (median) and peak RSS (the largest over
// rounds). A row under mixed_bfloat16 is measured against the bfloat16 peak.
func SummaryTable(rows []Row, peak *Peak) (string, error) {
	t := [][]string{{"model", "batch × steps", "MFLOP/example", "tfrun ex/s", "Keras ex/s", "tfrun/Keras (min–max)",
		"tfrun GFLOP/s", "Keras GFLOP/s", "tfrun % of peak", "Keras % of peak",
		"first step tfrun", "first step Keras", "peak RSS tfrun", "peak RSS Keras"}}
	for _, r := range rows {
		peakGFLOPS := peak.GFLOPSFor(r.Model.Precision)
		k := examplesPerSec(r.Keras)
		flops := r.FLOPsPerExample()
		achieved := func(exPerSec float64) (string, string) {
			if flops == 0 {
				return "–", "–"
			}
			g := flops * exPerSec / 1e9
			if peakGFLOPS == 0 {
				return Figure(g), "–"
			}
			return Figure(g), Percent(g / peakGFLOPS)
		}
		mflop := "–"
		if flops > 0 {
			mflop = Figure(flops / 1e6)
		}
		cells := []string{r.Model.Name, fmt.Sprintf("%d × %d", r.Model.Batch, r.Steps), mflop}
		kg, kp := achieved(k.Median)
		if r.TfrunPending != "" {
			cells = append(cells, "pending", Rate(k.Median), Pending, "–", kg, "–", kp,
				"–", Seconds(firstStep(r.Keras).Median), "–", Bytes(peakRSS(r.Keras)))
		} else {
			ratios, err := r.Ratios()
			if err != nil {
				return "", err
			}
			q := NewSpread(ratios)
			tr := examplesPerSec(r.Tfrun).Median
			tg, tp := achieved(tr)
			cells = append(cells, Rate(tr), Rate(k.Median),
				fmt.Sprintf("%s (%s–%s)", Ratio(q.Median), Ratio(q.Min), Ratio(q.Max)),
				tg, kg, tp, kp,
				Seconds(firstStep(r.Tfrun).Median), Seconds(firstStep(r.Keras).Median),
				Bytes(peakRSS(r.Tfrun)), Bytes(peakRSS(r.Keras)))
		}
		t = append(t, cells)
	}
	return Markdown(t, 2), nil
}

// RoundsTable renders every process: per model and round, examples/s on both sides, their
// ratio and each process's wall time (start to exit, imports and set-up included).
func RoundsTable(rows []Row) string {
	t := [][]string{{"model", "round", "tfrun ex/s", "Keras ex/s", "ratio", "tfrun process", "Keras process"}}
	for _, r := range rows {
		for i, k := range r.Keras {
			tr, ratio, tw := "pending", "–", "–"
			if r.TfrunPending == "" && i < len(r.Tfrun) {
				f := r.Tfrun[i]
				tr, ratio, tw = Rate(f.ExamplesPerSec), Ratio(f.ExamplesPerSec/k.ExamplesPerSec), Seconds(f.WallSeconds)
			}
			t = append(t, []string{r.Label(), fmt.Sprint(k.Round + 1), tr, Rate(k.ExamplesPerSec), ratio, tw, Seconds(k.WallSeconds)})
		}
	}
	return Markdown(t, 2)
}

// Markdown renders a table whose first row is the header; columns from firstNumeric on
// are right-aligned. Cells are padded so the plain text lines up too.
func Markdown(t [][]string, firstNumeric int) string {
	if len(t) == 0 {
		return ""
	}
	width := make([]int, len(t[0]))
	for _, row := range t {
		for j, c := range row {
			width[j] = max(width[j], len([]rune(c)), 3)
		}
	}
	var b strings.Builder
	line := func(row []string) {
		b.WriteString("|")
		for j, c := range row {
			pad := strings.Repeat(" ", width[j]-len([]rune(c)))
			if j >= firstNumeric {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(t[0])
	b.WriteString("|")
	for j, w := range width {
		if j >= firstNumeric {
			b.WriteString(" " + strings.Repeat("-", w-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", w) + " |")
		}
	}
	b.WriteString("\n")
	for _, row := range t[1:] {
		line(row)
	}
	return b.String()
}

// Rate formats examples per second: whole numbers with thousands separators from 100 up.
func Rate(x float64) string {
	if x < 100 {
		return fmt.Sprintf("%.1f", x)
	}
	return withCommas(int64(math.Round(x)))
}

// Figure formats a positive quantity (GFLOP/s, MFLOP) to three significant figures below
// 1,000 and as a whole number with thousands separators from there: "3.93", "39.3",
// "452", "1,234".
func Figure(x float64) string {
	switch {
	case x < 10:
		return fmt.Sprintf("%.2f", x)
	case x < 100:
		return fmt.Sprintf("%.1f", x)
	}
	return withCommas(int64(math.Round(x)))
}

// Percent formats a share: "90.4%".
func Percent(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

// Ratio formats a speed ratio: "1.85×".
func Ratio(x float64) string { return fmt.Sprintf("%.2f×", x) }

// Seconds formats a duration in seconds: "0.213 s", "2.13 s", "21.3 s".
func Seconds(s float64) string {
	switch {
	case s < 1:
		return fmt.Sprintf("%.3f s", s)
	case s < 10:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

// Bytes formats a memory size in MiB: "529 MiB".
func Bytes(n int64) string { return withCommas(int64(math.Round(float64(n)/(1<<20)))) + " MiB" }

func withCommas(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
