package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Size of the GANLosses figure: one panel, 768×432 pixels at figureDPI.
const (
	ganWidth  = 8 * vg.Inch
	ganHeight = 4.5 * vg.Inch
)

// GANLosses writes to path a PNG of one panel, "loss" over "epoch", with a
// "generator" line (genLoss) and a "discriminator" line (discLoss), as the
// Keras DCGAN tutorials plot gen_loss and disc_loss per epoch. title heads
// the figure and may be empty.
//
// epochs are 1-based and strictly increasing; when empty they are 1..n.
// Either loss may be empty (it is then not drawn); a non-empty one must
// have one value per epoch. Non-finite values leave a gap in their line.
// The image is 8in × 4.5in at 96 dpi (768×432 pixels), written atomically.
func GANLosses(path string, epochs []int, genLoss, discLoss []float64, title string) error {
	if path == "" {
		return fmt.Errorf("%w: GANLosses: empty path", ErrInvalidArgument)
	}
	series := map[string][]float64{"genLoss": genLoss, "discLoss": discLoss}
	xs, err := epochAxis("GANLosses", epochs, []string{"genLoss", "discLoss"}, series)
	if err != nil {
		return err
	}
	p, err := newPanel("", "loss", xs, []curve{
		{name: "generator", x: xs, y: genLoss, color: colorFirst},
		{name: "discriminator", x: xs, y: discLoss, color: colorSecond},
	})
	if err != nil {
		return fmt.Errorf("plots: GANLosses: %w", err)
	}
	if err := renderFigure(path, ganWidth, ganHeight, title, []*plot.Plot{p}); err != nil {
		return fmt.Errorf("plots: GANLosses: %w", err)
	}
	return nil
}
