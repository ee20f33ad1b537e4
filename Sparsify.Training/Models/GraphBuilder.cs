using Sparsify.Runtime.Kernels;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Training.Models;

/// <summary>
/// Builds a sequential <see cref="ModelGraph"/> in code with seeded weights: He-uniform weights
/// (variance 2 / fan-in) keep activations in range through deep stacks, small random biases
/// exercise the bias path. The same seed always gives the same bits.
/// </summary>
public sealed class GraphBuilder
{
    private readonly string _name;
    private readonly Random _random;
    private readonly List<Layer> _layers = [];
    private readonly GraphValue _input;
    private string _current;
    private Shape _shape;

    /// <summary>Starts a graph with one input of <paramref name="inputShape"/> (batch first).</summary>
    public GraphBuilder(string name, Shape inputShape, int seed)
    {
        _name = name;
        _random = new Random(seed);
        _input = new GraphValue("input", inputShape);
        _current = _input.Name;
        _shape = inputShape;
    }

    /// <summary>The shape of the value the next layer reads.</summary>
    public Shape CurrentShape => _shape;

    /// <summary>Adds a convolution (square kernel) with bias.</summary>
    public GraphBuilder Conv(string name, int outChannels, int kernel, int stride = 1, int pad = 0, int group = 1)
    {
        var inPerGroup = _shape[1] / group;
        var weights = HeUniform(new Shape(outChannels, inPerGroup, kernel, kernel), inPerGroup * kernel * kernel);
        var window = Window2D.Create(kernel, stride, Padding2D.Uniform(pad));
        return Add(new ConvLayer(name, _current, name, weights, SmallBias(outChannels), window, group));
    }

    /// <summary>Adds a fully connected layer with bias; flattens first if the input is not 2-D.</summary>
    public GraphBuilder FullyConnected(string name, int outFeatures)
    {
        if (_shape.Rank != 2)
        {
            Flatten($"{name}_flatten");
        }

        var inFeatures = _shape[1];
        return Add(new FullyConnectedLayer(name, _current, name, HeUniform(new Shape(outFeatures, inFeatures), inFeatures), SmallBias(outFeatures)));
    }

    /// <summary>Adds a ReLU named after the layer before it.</summary>
    public GraphBuilder Relu() => Add(new ReluLayer($"{_current}_relu", _current, $"{_current}_relu"));

    /// <summary>Adds max pooling.</summary>
    public GraphBuilder MaxPool(string name, int kernel, int stride, int pad = 0) =>
        Add(new PoolLayer(name, _current, name, PoolKind.Max, Window2D.Create(kernel, stride, Padding2D.Uniform(pad))));

    /// <summary>Adds AlexNet's local response normalisation.</summary>
    public GraphBuilder Lrn(string name, int size = 5, float alpha = 1e-4f, float beta = 0.75f, float bias = 1f) =>
        Add(new LrnLayer(name, _current, name, size, alpha, beta, bias));

    /// <summary>Adds a Flatten at axis 1.</summary>
    public GraphBuilder Flatten(string name) => Add(ReshapeLayer.Flatten(name, _current, name));

    /// <summary>Adds a Softmax over the last axis.</summary>
    public GraphBuilder Softmax(string name) => Add(new SoftmaxLayer(name, _current, name));

    /// <summary>Finishes the graph; its output is the last layer's.</summary>
    public ModelGraph Build() => ModelGraph.Create(_name, [_input], _layers, [_current]);

    private GraphBuilder Add(Layer layer)
    {
        _shape = layer.InferOutputShape([_shape]);
        _layers.Add(layer);
        _current = layer.Output;
        return this;
    }

    private Tensor HeUniform(Shape shape, int fanIn)
    {
        var limit = (float)Math.Sqrt(6.0 / fanIn);
        var data = new float[shape.ElementCount];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (2 * _random.NextSingle() - 1) * limit;
        }

        return new Tensor(shape, data);
    }

    private Tensor SmallBias(int count)
    {
        var data = new float[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = (2 * _random.NextSingle() - 1) * 0.01f;
        }

        return new Tensor(new Shape(count), data);
    }
}
