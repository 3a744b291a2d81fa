"""TensorFlow's DCGAN tutorial (tensorflow.org/tutorials/generative/dcgan): its two networks
for a given image shape and its training step, timed on random images; dcgan_mnist.py and
dcgan_cifar.py run it for MNIST's 28x28x1 and CIFAR-10's 32x32x3 images.

The networks are the tutorial's verbatim (Keras 3 spelling: keras.Input instead of
input_shape; LeakyReLU with Keras's default negative_slope 0.3, as the tutorial passes none),
the generator starting from (height/4)x(width/4)x256 as the assignment's CIFAR variant does.

As in the tutorial: noise [batch, 100] from tf.random.normal, binary cross-entropy from
logits, two Adam(1e-4) optimizers, one @tf.function train_step with two GradientTapes. The
one change: train_step returns the two losses and the loop reads them, so each timed step
has certainly finished (and tfrun's GAN.TrainStep returns them too).
"""

import time

import common

NOISE_DIM = 100


def make_generator_model(image_shape):
    import keras
    from keras import layers

    height, width, channels = image_shape
    model = keras.Sequential()
    model.add(keras.Input((NOISE_DIM,)))
    model.add(layers.Dense((height // 4) * (width // 4) * 256, use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Reshape((height // 4, width // 4, 256)))

    model.add(layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding="same", use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(channels, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh",
                                     dtype="float32"))  # the last layer in float32 (common.py)
    return model


def make_discriminator_model(image_shape):
    import keras
    from keras import layers

    model = keras.Sequential()
    model.add(keras.Input(image_shape))
    model.add(layers.Conv2D(64, (5, 5), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))

    model.add(layers.Conv2D(128, (5, 5), strides=(2, 2), padding="same"))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))

    model.add(layers.Flatten())
    model.add(layers.Dense(1, dtype="float32"))  # the last layer in float32 (common.py)
    return model


def run(model_name, args, image_shape):
    import numpy as np
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(common.SEED)
    n = (args.warmup + args.steps) * args.batch
    # Random images in [-1, 1], the range the tutorial normalises MNIST to.
    rng = np.random.default_rng(common.SEED)
    images = rng.uniform(-1, 1, size=(n,) + image_shape).astype(np.float32)
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(args.batch)
    batch_size = args.batch

    t0 = time.perf_counter()
    generator = make_generator_model(image_shape)
    discriminator = make_discriminator_model(image_shape)

    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

    def discriminator_loss(real_output, fake_output):
        real_loss = cross_entropy(tf.ones_like(real_output), real_output)
        fake_loss = cross_entropy(tf.zeros_like(fake_output), fake_output)
        total_loss = real_loss + fake_loss
        return total_loss

    def generator_loss(fake_output):
        return cross_entropy(tf.ones_like(fake_output), fake_output)

    generator_optimizer = keras.optimizers.Adam(1e-4)
    discriminator_optimizer = keras.optimizers.Adam(1e-4)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([batch_size, NOISE_DIM])

        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = generator(noise, training=True)

            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)

            gen_loss = generator_loss(fake_output)
            disc_loss = discriminator_loss(real_output, fake_output)

        gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
        gradients_of_discriminator = disc_tape.gradient(disc_loss, discriminator.trainable_variables)

        generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
        discriminator_optimizer.apply_gradients(zip(gradients_of_discriminator, discriminator.trainable_variables))
        return gen_loss, disc_loss

    ends = []
    for image_batch in dataset:
        gen_loss, disc_loss = train_step(image_batch)
        gen_loss.numpy(), disc_loss.numpy()
        ends.append(time.perf_counter())

    params = sum(int(np.prod(w.shape)) for w in generator.trainable_weights + discriminator.trainable_weights)
    return common.report(model_name, args, t0, ends, params)
