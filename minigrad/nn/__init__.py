"""`minigrad.nn`: modules, layers, losses, `functional` (as `F`) and `init`, as in PyTorch."""

from . import functional, init
from .container import Sequential
from .layers import Dropout, Flatten, Identity, Linear, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter
