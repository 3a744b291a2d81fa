"""Keras reference for configs/dcgan_cifar.yaml: TensorFlow's DCGAN tutorial made for CIFAR-10.

The tutorial's two networks verbatim (Keras 3 spelling: keras.Input instead of input_shape;
LeakyReLU with Keras's default negative_slope 0.3, as the tutorial passes none), its
train_step (dcgan.py), batch 256, on random 32x32x3 images (see common.py).

    python bench/keras/dcgan_cifar.py --steps 10 --warmup 2 --json /tmp/dcgan_cifar.json
"""

import common
import dcgan

IMAGE_SHAPE = (32, 32, 3)


def make_generator_model():
    import keras
    from keras import layers

    model = keras.Sequential()
    model.add(keras.Input((dcgan.NOISE_DIM,)))
    model.add(layers.Dense(8 * 8 * 256, use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Reshape((8, 8, 256)))

    model.add(layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding="same", use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(3, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh"))
    return model


def make_discriminator_model():
    import keras
    from keras import layers

    model = keras.Sequential()
    model.add(keras.Input(IMAGE_SHAPE))
    model.add(layers.Conv2D(64, (5, 5), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))

    model.add(layers.Conv2D(128, (5, 5), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))

    model.add(layers.Flatten())
    model.add(layers.Dense(1))
    return model


if __name__ == "__main__":
    args = common.parse_args("dcgan_cifar", batch=256)
    dcgan.run("dcgan_cifar", args, IMAGE_SHAPE, make_generator_model, make_discriminator_model)
