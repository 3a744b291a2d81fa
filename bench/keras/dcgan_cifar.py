"""Keras reference for configs/dcgan_cifar.yaml: TensorFlow's DCGAN tutorial made for CIFAR-10.

The tutorial's networks and train_step (dcgan.py), batch 256, on random 32x32x3 images
(see common.py).

    python bench/keras/dcgan_cifar.py --steps 10 --warmup 2 --json /tmp/dcgan_cifar.json
"""

import common
import dcgan

IMAGE_SHAPE = (32, 32, 3)

if __name__ == "__main__":
    args = common.parse_args("dcgan_cifar", batch=256)
    dcgan.run("dcgan_cifar", args, IMAGE_SHAPE)
