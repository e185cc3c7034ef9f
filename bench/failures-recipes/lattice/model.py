"""A tiny transformer's shapes: multi-head attention splits d_model into n_heads heads."""


class MultiHeadAttention:
    def __init__(self, d_model, n_heads):
        assert d_model % n_heads == 0
        self.d_model = d_model
        self.n_heads = n_heads
        self.head_dim = d_model // n_heads

    def parameters(self):
        return 4 * self.d_model * self.d_model


class Block:
    def __init__(self, d_model, n_heads):
        self.attention = MultiHeadAttention(d_model, n_heads)
        self.mlp = 8 * d_model * d_model

    def parameters(self):
        return self.attention.parameters() + self.mlp


class TinyTransformer:
    def __init__(self, d_model, n_heads, n_layers):
        self.blocks = [Block(d_model, n_heads) for _ in range(n_layers)]
        self.head_dim = self.blocks[0].attention.head_dim

    def parameters(self):
        return sum(block.parameters() for block in self.blocks)
