"""The book's chapter 5 module ``two_layer_net`` (backpropagation with layers)."""
