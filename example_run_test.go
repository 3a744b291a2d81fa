package tfrun_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfrun/tfrun"
	"github.com/tfrun/tfrun/configs"
)

// A YAML config trained as tfrun -config configs/wine.yaml -epochs 2 does, into a run
// directory of the program's choice, then exported as tfrun export does.
func ExampleRun() {
	cfg, err := configs.Load("configs/wine.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	tmp, err := os.MkdirTemp("", "run-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(tmp)
	runDir, err := tfrun.Run(context.Background(), cfg, tfrun.RunOptions{Epochs: 2, OutDir: filepath.Join(tmp, "wine")})
	if err != nil {
		fmt.Println(err)
		return
	}
	var metrics struct {
		EpochsRun int `json:"epochs_run"`
	}
	b, err := os.ReadFile(filepath.Join(runDir, "metrics.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := json.Unmarshal(b, &metrics); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("epochs run:", metrics.EpochsRun)

	e, err := tfrun.ExportRun(cfg, filepath.Join(tmp, "models"), tfrun.ExportRunOptions{RunDir: runDir})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("exported:", filepath.Base(e.Dir), e.Kind)
	// Output:
	// epochs run: 2
	// exported: 1 table_classifier
}
