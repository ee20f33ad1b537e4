using Google.Protobuf;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Tests.Support;

/// <summary>LeNet-5 as ONNX with one hostile change, for the tests of how each front end reports it.</summary>
internal static class HostileModels
{
    /// <summary>conv1's pads at 2^30: its output extent passes an int.</summary>
    public static string WithHugePads(string directory)
    {
        var model = OnnxExporter.Export(ModelBuilders.LeNet5());
        var pads = model.Graph.Node.Single(n => n.Name == "conv1").Attribute.Single(a => a.Name == "pads");
        pads.Ints.Clear();
        pads.Ints.AddRange([1L << 30, 1L << 30, 1L << 30, 1L << 30]);
        return Write(model, Path.Combine(directory, "huge-pads.onnx"));
    }

    /// <summary>conv1's weights as 2^29 floats, 2^31 bytes (one past the tensor limit), in a sparse external file.</summary>
    public static string WithTwoGigabyteWeights(string directory)
    {
        using (var data = new FileStream(Path.Combine(directory, "conv1.bin"), FileMode.Create))
        {
            data.SetLength(1L << 31);
        }

        return WithExternalWeights(directory, "conv1.bin", [1L << 29, 1, 1, 1]);
    }

    /// <summary>conv1's weights (20x1x5x5 unless <paramref name="dims"/> says otherwise) read from external data at <paramref name="location"/>.</summary>
    public static string WithExternalWeights(string directory, string location, long[]? dims = null)
    {
        var model = OnnxExporter.Export(ModelBuilders.LeNet5());
        var weights = model.Graph.Initializer.Single(t => t.Name == "conv1.weight");
        weights.ClearRawData();
        weights.Dims.Clear();
        weights.Dims.AddRange(dims ?? [20, 1, 5, 5]);
        weights.DataLocation = TensorProto.Types.DataLocation.External;
        weights.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        return Write(model, Path.Combine(directory, "external.onnx"));
    }

    private static string Write(ModelProto model, string path)
    {
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
