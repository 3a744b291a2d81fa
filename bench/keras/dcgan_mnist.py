"""Keras reference for configs/gan_mnist.yaml: TensorFlow's DCGAN tutorial on MNIST.

The tutorial's networks and train_step (dcgan.py), batch 256, on random 28x28x1 images
(see common.py).

    python bench/keras/dcgan_mnist.py --steps 10 --warmup 2 --json /tmp/dcgan_mnist.json
"""

import common
import dcgan

IMAGE_SHAPE = (28, 28, 1)

if __name__ == "__main__":
    args = common.parse_args("dcgan_mnist", batch=256)
    dcgan.run("dcgan_mnist", args, IMAGE_SHAPE)
