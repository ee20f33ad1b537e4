using Google.Protobuf;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

/// <summary>Reads and writes the ONNX protobuf itself, turning every failure into one clear error.</summary>
internal static class OnnxModelFile
{
    public static ModelProto Read(string path)
    {
        byte[] bytes;
        try
        {
            // Reading a FIFO would block until something writes to it; a directory or a device is no model.
            if (IO.RegularFile.NotRegular(path) is { } kind)
            {
                throw new SparsifyModelException($"the path is {kind}, not a regular file", path);
            }

            var length = new FileInfo(path).Length;
            if (length > ModelLimits.MaxModelFileBytes)
            {
                throw new SparsifyModelException(
                    $"the file has {ModelLimits.Bytes(length)}, more than the limit of {ModelLimits.Bytes(ModelLimits.MaxModelFileBytes)} for one ONNX file (protobuf's limit); keep large weights in external data files",
                    path);
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new SparsifyModelException($"cannot read the file: {e.Message}", path, innerException: e);
        }

        return Parse(bytes, path);
    }

    public static ModelProto Parse(byte[] bytes, string? path)
    {
        if (bytes.Length == 0)
        {
            throw new SparsifyModelException("the file is empty, not an ONNX model", path);
        }

        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SparsifyModelException($"not a valid ONNX model (truncated or corrupt protobuf: {e.Message})", path, innerException: e);
        }

        // Protobuf accepts many byte strings; a model must at least carry a graph with nodes and a
        // declared IR version.
        if (!model.HasIrVersion || model.IrVersion <= 0 || model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new SparsifyModelException("not an ONNX model: it has no IR version or no graph with nodes", path);
        }

        return model;
    }

    /// <summary>Writes atomically: a failed write never leaves a half model at <paramref name="path"/>.</summary>
    public static void Write(ModelProto model, string path) => IO.AtomicFile.Write(path, model.WriteTo);
}
