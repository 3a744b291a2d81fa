// Package gan is tfrun's generative adversarial network: a generator and a discriminator
// (conditional or not) with their optimizers and train steps (GAN), its run (Run), which
// runner's loop trains, and drawing from a trained one (Load, GenerateGrid).
package gan
