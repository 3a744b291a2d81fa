# TensorFlow's DCGAN tutorial (bench/keras/dcgan.py's networks and step) trained on the real
# MNIST training set, saving the 4x4 grid of a fixed noise seed after each epoch, to compare
# with tfrun's configs/gan_mnist.yaml run epoch by epoch. Needs tensorflow-cpu 2.18, keras and
# pillow (bench/.venv plus `pip install pillow`); run from the repository root:
#   python docs/results/dcgan_keras_mnist.py 5 /tmp/keras_dcgan
import gzip, sys, time, numpy as np, tensorflow as tf, keras
sys.path.insert(0, 'bench/keras')
import dcgan
from PIL import Image
tf.config.threading.set_intra_op_parallelism_threads(1); tf.config.threading.set_inter_op_parallelism_threads(1)
keras.utils.set_random_seed(42)
with gzip.open('../shared/data/mnist/train-images-idx3-ubyte.gz') as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1).astype('float32')
x = (x - 127.5) / 127.5
ds = tf.data.Dataset.from_tensor_slices(x).shuffle(60000).batch(256)
G = dcgan.make_generator_model((28, 28, 1)); D = dcgan.make_discriminator_model((28, 28, 1))
ce = keras.losses.BinaryCrossentropy(from_logits=True)
go, do = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
@tf.function
def step(images):
    noise = tf.random.normal([tf.shape(images)[0], 100])
    with tf.GradientTape() as gt, tf.GradientTape() as dt:
        fake = G(noise, training=True)
        r = D(images, training=True); f = D(fake, training=True)
        gl = ce(tf.ones_like(f), f); dl = ce(tf.ones_like(r), r) + ce(tf.zeros_like(f), f)
    go.apply_gradients(zip(gt.gradient(gl, G.trainable_variables), G.trainable_variables))
    do.apply_gradients(zip(dt.gradient(dl, D.trainable_variables), D.trainable_variables))
    return gl, dl
seed = tf.random.normal([16, 100])
for epoch in range(int(sys.argv[1])):
    t0 = time.time(); gls, dls = [], []
    for b in ds:
        gl, dl = step(b); gls.append(float(gl)); dls.append(float(dl))
    o = G(seed, training=False).numpy()[:, :, :, 0]
    grid = np.full((4 * 29 + 1, 4 * 29 + 1), 255, np.uint8)
    for i in range(16):
        r, c = divmod(i, 4)
        grid[1 + r * 29:1 + r * 29 + 28, 1 + c * 29:1 + c * 29 + 28] = ((o[i] + 1) * 127.5).clip(0, 255).astype(np.uint8)
    Image.fromarray(grid).resize((grid.shape[1] * 3, grid.shape[0] * 3), Image.NEAREST).save(f'{sys.argv[2]}/keras_epoch_{epoch + 1:04d}.png')
    print(f"epoch {epoch + 1}: {time.time() - t0:.0f}s gen_loss {np.mean(gls):.4f} disc_loss {np.mean(dls):.4f}", flush=True)
