using Sparsify.Core.Ir;

namespace Sparsify.Core.Onnx;

/// <summary>How a model is imported.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>
    /// Shapes for inputs whose dimensions are symbolic, by input name. Without one, a symbolic
    /// first (batch) dimension becomes 1 and any other symbolic dimension is an error.
    /// </summary>
    public IReadOnlyDictionary<string, int[]> InputShapes { get; init; } = new Dictionary<string, int[]>();
}

/// <summary>Reads ONNX models into a <see cref="ModelGraph"/> and writes graphs back as ONNX.</summary>
public static class OnnxModel
{
    /// <summary>The operators the importer understands.</summary>
    public static IReadOnlyList<string> SupportedOperators => OnnxImporter.SupportedOperators;

    /// <summary>The lowest default-domain opset accepted.</summary>
    public const int MinOpset = 7;

    /// <summary>The highest default-domain opset accepted.</summary>
    public const int MaxOpset = 17;

    /// <summary>The newest ONNX IR version read (11, that of ONNX 1.18); a newer file may hold what this reader cannot see.</summary>
    public const long MaxIrVersion = 11;

    /// <summary>
    /// Reads, validates and imports the model at <paramref name="path"/>. Any problem is a
    /// <see cref="SparsifyModelException"/> naming the file and, where it applies, the node.
    /// </summary>
    public static ModelGraph Load(string path, OnnxImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var proto = OnnxModelFile.Read(path);
        return new OnnxImporter(proto, path, options ?? new OnnxImportOptions()).Import();
    }

    /// <summary>Imports a model held in memory (external data is then not available).</summary>
    public static ModelGraph Load(byte[] bytes, OnnxImportOptions? options = null, string? nameForMessages = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var proto = OnnxModelFile.Parse(bytes, nameForMessages);
        return new OnnxImporter(proto, null, options ?? new OnnxImportOptions(), nameForMessages).Import();
    }

    /// <summary>Writes <paramref name="graph"/> as an ONNX model (opset 13), atomically.</summary>
    public static void Save(ModelGraph graph, string path)
    {
        ArgumentNullException.ThrowIfNull(graph);
        OnnxModelFile.Write(OnnxExporter.Export(graph), path);
    }

    /// <summary>The ONNX bytes of <paramref name="graph"/> (opset 13).</summary>
    public static byte[] ToBytes(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Google.Protobuf.MessageExtensions.ToByteArray(OnnxExporter.Export(graph));
    }
}
