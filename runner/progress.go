package runner

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows one epoch on the run's log as its Verbosity says: at VerboseBar Keras's
// progress bar, redrawn in place; at VerboseLines nothing until the epoch's line; at
// VerboseSilent nothing at all.
type progress struct {
	out     io.Writer
	verbose Verbosity
	bar     *progressbar.ProgressBar // VerboseBar only
}

// beginEpoch prints "Epoch N/M" and starts the epoch's bar, done of steps already done (a
// resumed epoch).
func beginEpoch(out io.Writer, v Verbosity, epoch, epochs, steps, done int) *progress {
	p := &progress{out: out, verbose: v}
	if v == VerboseSilent {
		return p
	}
	fmt.Fprintf(out, "Epoch %d/%d\n", epoch, epochs)
	if v == VerboseBar {
		p.bar = newProgressBar(out, steps)
		if done > 0 {
			p.bar.Set(done)
		}
	}
	return p
}

// step records one more step done, with the epoch's running logs.
func (p *progress) step(running Logs) {
	if p.bar != nil {
		p.bar.Describe(formatLogs(running))
		p.bar.Add(1)
	}
}

// stop ends the bar of an epoch that did not finish (an error, an interruption), leaving
// the cursor on a line of its own.
func (p *progress) stop() {
	if p.bar != nil {
		p.bar.Exit()
	}
}

// endEpoch clears the bar and prints the epoch's line: steps, seconds, time per step,
// logs, as Keras's Progbar does when it finalizes.
func (p *progress) endEpoch(steps int, elapsed time.Duration, logs Logs) {
	if p.bar != nil {
		p.bar.Finish()
	}
	if p.verbose != VerboseSilent {
		fmt.Fprintln(p.out, epochLine(steps, elapsed, logs))
	}
}

// epochLine is Keras's final Progbar line of an epoch (verbose=2):
// "250/250 - 12s - 48ms/step - accuracy: 0.8123 - loss: 0.4012".
func epochLine(steps int, elapsed time.Duration, logs Logs) string {
	line := fmt.Sprintf("%d/%d - %.0fs - %s", steps, steps, elapsed.Seconds(), perStep(elapsed, steps))
	if l := formatLogs(logs); l != "" {
		line += " - " + l
	}
	return line
}

// perStep is the mean time of a step as Keras prints it: whole seconds from 1 s up,
// milliseconds from 1 ms, microseconds below ("48ms/step").
func perStep(elapsed time.Duration, steps int) string {
	s := elapsed.Seconds() / float64(max(steps, 1))
	switch {
	case s >= 1 || s == 0:
		return fmt.Sprintf("%.0fs/step", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.0fms/step", s*1e3)
	}
	return fmt.Sprintf("%.0fus/step", s*1e6)
}

// newProgressBar is Keras's progress bar: steps done of steps, the running logs, the ETA.
func newProgressBar(out io.Writer, steps int) *progressbar.ProgressBar {
	return progressbar.NewOptions(steps,
		progressbar.OptionSetWriter(out),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(20),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}
