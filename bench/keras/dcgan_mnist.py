"""Keras reference for configs/gan_mnist.yaml: TensorFlow's DCGAN tutorial on MNIST.

The tutorial's two networks verbatim (Keras 3 spelling: keras.Input instead of input_shape;
LeakyReLU with Keras's default negative_slope 0.3, as the tutorial passes none), its
train_step (dcgan.py), batch 256, on random 28x28x1 images (see common.py).

    python bench/keras/dcgan_mnist.py --steps 10 --warmup 2 --json /tmp/dcgan_mnist.json
"""

import common
import dcgan

IMAGE_SHAPE = (28, 28, 1)


def make_generator_model():
    import keras
    from keras import layers

    model = keras.Sequential()
    model.add(keras.Input((dcgan.NOISE_DIM,)))
    model.add(layers.Dense(7 * 7 * 256, use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Reshape((7, 7, 256)))

    model.add(layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding="same", use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh"))
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
    args = common.parse_args("dcgan_mnist", batch=256)
    dcgan.run("dcgan_mnist", args, IMAGE_SHAPE, make_generator_model, make_discriminator_model)
