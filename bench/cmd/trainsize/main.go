// Command trainsize builds a classifier's training graph and reports its size and speed:
// the seconds classifier.FromConfig took (the graph, its gradients, the session), the
// number of ops in the graph and of the op types named by -types, and the median time of
// -steps training steps on a random batch. It measured docs/results/gradients_once.md.
//
//	go run ./bench/cmd/trainsize -keras /tmp/tfrun-keras-apps/densenet121.keras
//	go run ./bench/cmd/trainsize -config configs/cifar_resnet.yaml
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/importer"
)

func main() {
	keras := flag.String("keras", "", "a .keras file to import (its config is trained)")
	config := flag.String("config", "", "a tfrun config (instead of -keras)")
	shape := flag.String("shape", "32,32,3", "the input's shape")
	classes := flag.Int("classes", 4, "the number of classes of the random labels")
	batch := flag.Int("batch", 32, "the batch size of the steps")
	steps := flag.Int("steps", 10, "training steps timed (after one untimed)")
	types := flag.String("types", "FusedBatchNormGradV3,Conv2DBackpropInput,Conv2DBackpropFilter,Conv2D,AddN", "op types to count")
	flag.Parse()
	path := *config
	if *keras != "" {
		dir, err := os.MkdirTemp("", "trainsize")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		res, err := importer.Import(*keras, importer.Options{Dir: dir})
		if err != nil {
			log.Fatal(err)
		}
		path = res.Config
	}
	cfg, err := configs.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	var in builders.Shape
	for _, d := range strings.Split(*shape, ",") {
		var n int
		fmt.Sscan(d, &n)
		in = append(in, n)
	}
	start := time.Now()
	c, err := classifier.FromConfig(cfg, in, false, cfg.Seed, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	build := time.Since(start)
	count := map[string]int{}
	ops := c.Graph().TF().Operations()
	for _, o := range ops {
		count[o.Type()]++
	}
	fmt.Printf("build: %.1f s\nops: %d\n", build.Seconds(), len(ops))
	for _, t := range strings.Split(*types, ",") {
		fmt.Printf("%s: %d\n", t, count[t])
	}
	if *steps == 0 {
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := *batch
	for _, d := range in {
		n *= d
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = rng.Float32()
	}
	y := make([]float32, *batch)
	for i := range y {
		y[i] = float32(rng.IntN(*classes))
	}
	dims := append([]int64{int64(*batch)}, make([]int64, len(in))...)
	for i, d := range in {
		dims[i+1] = int64(d)
	}
	xt, err := graphs.NewTensor(x, dims...)
	if err != nil {
		log.Fatal(err)
	}
	yt, err := graphs.NewTensor(y, int64(*batch))
	if err != nil {
		log.Fatal(err)
	}
	var times []float64
	for i := 0; i <= *steps; i++ {
		t0 := time.Now()
		if _, _, err := c.TrainBatch(xt, yt); err != nil {
			log.Fatal(err)
		}
		if i == 0 {
			fmt.Printf("first step: %.2f s\n", time.Since(t0).Seconds())
			continue
		}
		times = append(times, time.Since(t0).Seconds())
	}
	slices.Sort(times)
	fmt.Printf("median step (batch %d, %d steps): %.3f s\n", *batch, *steps, times[len(times)/2])
}
