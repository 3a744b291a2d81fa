package plots_test

import (
	"fmt"

	"github.com/tfrun/tfrun/plots"
)

// Two 2×2 grayscale images (a tanh output: -1 is black, +1 white) laid out
// side by side, each pixel drawn as a 3×3 block, with a 2-pixel white
// separator between them.
func ExampleImageGrid() {
	images := []float32{
		-1, -1, -1, -1, // image 0: black
		1, 0, 0, 1, // image 1: white and mid-gray diagonal
	}
	grid, err := plots.ImageGrid(images, 2, 2, 2, 1, 1, 2, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(grid.Bounds())
	fmt.Println(grid.RGBAAt(0, 0), grid.RGBAAt(6, 0), grid.RGBAAt(8, 0), grid.RGBAAt(11, 0))

	_, err = plots.ImageGrid(images, 2, 2, 2, 2, 1, 2, 3)
	fmt.Println(err)
	// Output:
	// (0,0)-(14,6)
	// {0 0 0 255} {255 255 255 255} {255 255 255 255} {128 128 128 255}
	// plots: invalid argument: ImageGrid: c = 2, want 1 (grayscale) or 3 (RGB)
}
