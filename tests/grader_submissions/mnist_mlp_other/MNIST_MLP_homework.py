#!/usr/bin/env python
# coding: utf-8
# The MNIST-MLP homework (bilibili 《数之道》) as `jupyter nbconvert --to script` exports it, solved in another
# style than fcnet's reference (np.where, loops, other but equivalent formulas), with the course's finished code
# (softmax, cross_entropy_error with its pred[:, y], SoftmaxWithLoss) as the course hands it out, and the
# notebook's top-level cells (data loading, initialize_* calls, training) that the grader must not run.

# In[1]:

import numpy as np
import matplotlib.pyplot as plt
from utils import load_mnist
from collections import OrderedDict
from functools import reduce

get_ipython().run_line_magic('matplotlib', 'inline')

# In[2]:

path = './MNIST Data'
(x_train, y_train), (x_test, y_test) = load_mnist(path, normalize=True, one_hot_label=True)
print('The shape of X_train is:', x_train.shape)


# In[3]:

def initialize_parameters(input_size, hidden_size, output_size, weight_init_std):
    np.random.seed(1)
    params = {}
    sizes = [input_size, hidden_size, hidden_size, output_size]
    for layer in range(1, 4):
        params['W%d' % layer] = weight_init_std * np.random.randn(sizes[layer - 1], sizes[layer])
        params['b%d' % layer] = np.zeros(sizes[layer])
    for name, value in params.items():
        print(name + "'s shape:", value.shape)
    return params


class LeakyRelu:
    def __init__(self):
        self.mask = None
        self.alpha = 0.1

    def forward(self, x):
        self.mask = (x <= 0)
        return np.where(self.mask, self.alpha * x, x)

    def backward(self, dout):
        return np.where(self.mask, self.alpha * dout, dout)


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return x @ self.W + self.b[np.newaxis, :]

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.einsum('ni,nj->ij', self.x, dout)
        self.db = dout.sum(axis=0)
        return dx.reshape(*self.original_x_shape)


def softmax(x):
    x = x.T
    x = x - np.max(x, axis=0)
    y = np.exp(x) / np.sum(np.exp(x), axis=0)
    return y.T


def cross_entropy_error(pred, y):
    if pred.ndim == 1:
        y = y.reshape(1, y.size)
        pred = pred.reshape(1, pred.size)
    if y.size == pred.size:
        y = y.argmax(axis=1)
    batch_size = pred.shape[0]
    res = -np.sum(np.log(pred[:, y] + 1e-7)) / batch_size
    return res


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.pred = None
        self.y = None

    def forward(self, x, y):
        self.y = y
        self.pred = softmax(x)
        self.loss = cross_entropy_error(self.pred, self.y)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.y.shape[0]
        if self.y.size == self.pred.size:
            dx = (self.pred - self.y) / batch_size
        else:
            dx = self.pred.copy()
            dx[np.arange(batch_size), self.y] -= 1
            dx = dx / batch_size
        return dx


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = initialize_parameters(input_size, hidden_size, output_size, weight_init_std)
        self.t = 0
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['LeakyRelu1'] = LeakyRelu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])
        self.layers['LeakyRelu2'] = LeakyRelu()
        self.layers['Affine3'] = Affine(self.params['W3'], self.params['b3'])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        return reduce(lambda out, layer: layer.forward(out), self.layers.values(), x.copy())

    def loss(self, x, y):
        return self.lastLayer.forward(self.predict(x), y)

    def accuracy(self, x, y):
        pred = np.argmax(self.predict(x), axis=1)
        if y.ndim != 1:
            y = np.argmax(y, axis=1)
        return np.sum(pred == y) / float(x.shape[0])

    def gradient(self, x, y):
        self.loss(x, y)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for i in (1, 2, 3):
            grads['W%d' % i] = self.layers['Affine%d' % i].dW
            grads['b%d' % i] = self.layers['Affine%d' % i].db
        return grads


# In[4]:

network = TwoLayerNet(input_size=784, hidden_size=300, output_size=10)


def update_parameters(network, grads, learning_rate=0.001):
    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):
        network.params[key] -= learning_rate * grads[key]
    return


def train_network(network, update_params_method, iters_num, train_size, batch_size, learning_rate):
    for i in range(iters_num):
        batch_mask = np.random.choice(train_size, batch_size)
        network.t += 1
        grad = network.gradient(x_train[batch_mask], y_train[batch_mask])
        update_params_method(network, grad, learning_rate)


def initialize_grads_squared(network):
    grads_squared = {}
    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):
        grads_squared[key] = np.zeros(network.params[key].shape)
    return grads_squared


grads_squared = initialize_grads_squared(network)


def update_parameters_with_adagrad(network, grads, learning_rate=0.001, epsilon=1e-7):
    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):
        np.add(grads_squared[key], np.square(grads[key]), out=grads_squared[key])
        step = grads[key] / (np.sqrt(grads_squared[key]) + epsilon)
        network.params[key] -= learning_rate * step
    return


train_network(network, update_parameters_with_adagrad, 10000, x_train.shape[0], 100, 0.001)


def update_parameters_with_rmsprop(network, grads, learning_rate=0.001, epsilon=1e-7, beta=0.999):
    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):
        grads_squared[key] *= beta
        grads_squared[key] += (1 - beta) * grads[key] ** 2
        network.params[key] -= learning_rate * grads[key] / (grads_squared[key] ** 0.5 + epsilon)
    return


def initialize_velocity(network):
    return {key: np.zeros_like(value) for key, value in network.params.items()}


v = initialize_velocity(network)


def update_parameters_with_momentum(network, grads, learning_rate=0.001, beta=0.9):
    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):
        v[key] = v[key] * beta + grads[key] * learning_rate
        network.params[key] -= v[key]
    return


def update_parameters_with_nesterov_momentum(network, grads, learning_rate=0.001, beta=0.9):
    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):
        previous = v[key].copy()
        v[key] = beta * previous + learning_rate * grads[key]
        network.params[key] -= (1 + beta) * v[key] - beta * previous
    return


def initialize_adam(network):
    v, u = {}, {}
    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):
        v[key] = np.zeros(np.shape(network.params[key]))
        u[key] = np.zeros(np.shape(network.params[key]))
    return v, u


v, u = initialize_adam(network)


def update_parameters_with_adam(network, grads, learning_rate=0.001, epsilon=1e-7, beta1=0.9, beta2=0.999):
    t = network.t
    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):
        g = grads[key]
        v[key] += (1 - beta1) * (g - v[key])
        u[key] += (1 - beta2) * (g * g - u[key])
        m_hat = v[key] / (1 - beta1 ** t)
        u_hat = u[key] / (1 - beta2 ** t)
        network.params[key] -= learning_rate * m_hat / (np.sqrt(u_hat) + epsilon)
    return


def initialize_adambelief(network):
    keys = ('W1', 'b1', 'W2', 'b2', 'W3', 'b3')
    return ({k: np.zeros(network.params[k].shape) for k in keys},
            {k: np.zeros(network.params[k].shape) for k in keys})


v, s = initialize_adambelief(network)


def update_parameters_with_adambelief(network, grads, learning_rate=0.001, epsilon=1e-7, beta1=0.9, beta2=0.999):
    t = network.t
    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):
        v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
        belief = grads[key] - v[key]
        s[key] = beta2 * s[key] + (1 - beta2) * belief ** 2
        corrected_v = v[key] / (1 - beta1 ** t)
        corrected_s = s[key] / (1 - beta2 ** t)
        network.params[key] -= learning_rate * corrected_v / (np.sqrt(corrected_s) + epsilon)
    return
