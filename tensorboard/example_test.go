package tensorboard_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tfrun/tfrun/tensorboard"
)

// Example logs a training loss per epoch the way Keras's TensorBoard callback
// does (tag epoch_loss, step = epoch - 1) and reads it back.
func Example() {
	logdir, err := os.MkdirTemp("", "logs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(logdir)

	w, err := tensorboard.NewWriter(filepath.Join(logdir, "train"))
	if err != nil {
		log.Fatal(err)
	}
	for epoch, loss := range []float64{0.9, 0.5, 0.25} {
		if err := w.Scalar("epoch_loss", int64(epoch), loss); err != nil {
			log.Fatal(err)
		}
		if err := w.Flush(); err != nil { // at each epoch's end
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	files, err := tensorboard.Files(filepath.Join(logdir, "train"))
	if err != nil {
		log.Fatal(err)
	}
	events, err := tensorboard.ReadFile(files[0])
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range events {
		if v := e.GetFileVersion(); v != "" {
			fmt.Println("file version", v)
		}
		for _, v := range e.GetSummary().GetValue() {
			fmt.Printf("step %d %s %.2f\n", e.Step, v.Tag, v.GetSimpleValue())
		}
	}
	// Output:
	// file version brain.Event:2
	// step 0 epoch_loss 0.90
	// step 1 epoch_loss 0.50
	// step 2 epoch_loss 0.25
}
