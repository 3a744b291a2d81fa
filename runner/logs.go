package runner

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// logOrder is the order in which known metrics print, Keras's for a classifier, then a
// GAN's; others follow sorted.
var logOrder = []string{"accuracy", "loss", "val_accuracy", "val_loss", "gen_loss", "disc_loss",
	"real_accuracy", "fake_accuracy", "learning_rate", "gen_learning_rate", "disc_learning_rate"}

// orderedKeys are l's keys in logOrder, then the others sorted.
func orderedKeys(l Logs) []string {
	var out, other []string
	for _, k := range logOrder {
		if _, ok := l[k]; ok {
			out = append(out, k)
		}
	}
	for k := range l {
		if !slices.Contains(logOrder, k) {
			other = append(other, k)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// formatLogs prints logs in Keras's style: "accuracy: 0.8125 - loss: 0.4012".
func formatLogs(l Logs) string {
	var parts []string
	for _, k := range orderedKeys(l) {
		if strings.HasSuffix(k, "learning_rate") {
			parts = append(parts, fmt.Sprintf("%s: %.4g", k, l[k]))
		} else {
			parts = append(parts, fmt.Sprintf("%s: %.4f", k, l[k]))
		}
	}
	return strings.Join(parts, " - ")
}

// snakeCase is Keras's name of a class: EarlyStopping → early_stopping,
// ReduceLROnPlateau → reduce_lr_on_plateau.
func snakeCase(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
