# Keras 3 check of the cgan_fashion recipe (the same networks as configs/cgan_fashion.yaml):
#   python cgan_keras_check.py assign 160     # the assignment's simultaneous step, batch 256, Adam(1e-4)
#   python cgan_keras_check.py brownlee 220   # Brownlee's alternating step, batch 128, Adam(2e-4, beta_1 0.5)
# Prints, every 20 steps, both losses, the discriminator's accuracies and the mean, spread and
# saturated fraction (< -0.99) of 80 images generated from fixed noise. Needs tensorflow-cpu 2.18
# and keras (bench/.venv has both) and Fashion-MNIST in /usr/share/datasets/fashion-mnist.
import gzip, sys, numpy as np, tensorflow as tf, keras
from keras import layers
mode = sys.argv[1]; steps = int(sys.argv[2]); seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
tf.config.threading.set_intra_op_parallelism_threads(1); tf.config.threading.set_inter_op_parallelism_threads(1)
keras.utils.set_random_seed(seed)
def idx(p, off):
    with gzip.open(p) as f: return np.frombuffer(f.read(), np.uint8, offset=off)
x = idx('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz', 16).reshape(-1, 28, 28, 1)
y = idx('/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz', 8).astype('int32')
x = (x.astype('float32') - 127.5) / 127.5
perm = np.random.permutation(len(x)); x, y = x[perm], y[perm]
lab = keras.Input((1,)); li = layers.Embedding(10, 50)(lab); li = layers.Dense(49)(li); li = layers.Reshape((7,7,1))(li)
z = keras.Input((100,)); g = layers.Dense(256*7*7)(z); g = layers.LeakyReLU(0.2)(g); g = layers.Reshape((7,7,256))(g)
m = layers.Concatenate()([g, li])
g = layers.Conv2DTranspose(128, 4, strides=2, padding='same')(m); g = layers.LeakyReLU(0.2)(g)
g = layers.Conv2DTranspose(128, 4, strides=2, padding='same')(g); g = layers.LeakyReLU(0.2)(g)
out = layers.Conv2DTranspose(1, 7, padding='same', activation='tanh')(g)
G = keras.Model([z, lab], out)
dl = keras.Input((1,)); di = layers.Embedding(10, 50)(dl); di = layers.Dense(784)(di); di = layers.Reshape((28,28,1))(di)
img = keras.Input((28,28,1)); d = layers.Concatenate()([img, di])
d = layers.Conv2D(128, 3, strides=2, padding='same')(d); d = layers.LeakyReLU(0.2)(d)
d = layers.Conv2D(128, 3, strides=2, padding='same')(d); d = layers.LeakyReLU(0.2)(d)
d = layers.Flatten()(d); d = layers.Dropout(0.4)(d); d = layers.Dense(1)(d)
D = keras.Model([img, dl], d)
bce = keras.losses.BinaryCrossentropy(from_logits=True)
if mode == 'assign':
    bs = 256; go, do = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
else:
    bs = 128; go, do = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
@tf.function
def joint(images, labels):
    noise = tf.random.normal([tf.shape(images)[0], 100])
    with tf.GradientTape() as gt, tf.GradientTape() as dt:
        fake = G([noise, labels], training=True)
        r = D([images, labels], training=True); f = D([fake, labels], training=True)
        gl = bce(tf.ones_like(f), f); dl_ = bce(tf.ones_like(r), r) + bce(tf.zeros_like(f), f)
    go.apply_gradients(zip(gt.gradient(gl, G.trainable_variables), G.trainable_variables))
    do.apply_gradients(zip(dt.gradient(dl_, D.trainable_variables), D.trainable_variables))
    return gl, dl_, tf.reduce_mean(tf.cast(r > 0, tf.float32)), tf.reduce_mean(tf.cast(f <= 0, tf.float32))
@tf.function
def dstep(images, labels, target):
    with tf.GradientTape() as t:
        o = D([images, labels], training=True); l = bce(tf.fill(tf.shape(o), target), o)
    do.apply_gradients(zip(t.gradient(l, D.trainable_variables), D.trainable_variables)); return l, o
@tf.function
def gstep(n):
    noise = tf.random.normal([n, 100]); labels = tf.random.uniform([n, 1], 0, 10, tf.int32)
    with tf.GradientTape() as t:
        o = D([G([noise, labels], training=True), labels], training=True); l = bce(tf.ones_like(o), o)
    go.apply_gradients(zip(t.gradient(l, G.trainable_variables), G.trainable_variables)); return l
def brownlee(images, labels):
    h = images.shape[0] // 2
    lr_, r = dstep(images[:h], labels[:h], 1.0)
    noise = tf.random.normal([h, 100]); fl = tf.random.uniform([h, 1], 0, 10, tf.int32)
    lf, f = dstep(G([noise, fl], training=False), fl, 0.0)
    gl = gstep(images.shape[0])
    return gl, lr_ + lf, tf.reduce_mean(tf.cast(r > 0, tf.float32)), tf.reduce_mean(tf.cast(f <= 0, tf.float32))
zn = tf.random.normal([80, 100], seed=1); zl = tf.constant(np.repeat(np.arange(10), 8).reshape(-1, 1))
nb = len(x) // bs
for b in range(steps):
    i = b % nb
    xb, yb = x[i*bs:(i+1)*bs], y[i*bs:(i+1)*bs].reshape(-1, 1)
    gl, dl_, ra, fa = (joint if mode == 'assign' else brownlee)(xb, yb)
    if b % 20 == 19:
        o = G([zn, zl], training=False).numpy()
        print(f"{mode} step {b+1}: G {float(gl):.3f} D {float(dl_):.3f} real {float(ra):.2f} fake {float(fa):.2f} gen mean {o.mean():.3f} std {o.std():.3f} frac<-0.99 {(o < -0.99).mean():.2f}", flush=True)
