using System.Text;

namespace Sparsify.Core;

/// <summary>
/// The one error Sparsify raises for a model it cannot accept: the message names the file, the
/// node (name and op type) where known, and what is wrong, so a build log line is enough to act on.
/// </summary>
public sealed class SparsifyModelException : Exception
{
    /// <summary>Creates an error about a whole model or file.</summary>
    public SparsifyModelException(string problem, string? filePath = null, string? nodeName = null, string? opType = null, Exception? innerException = null)
        : base(Compose(problem, filePath, nodeName, opType), innerException)
    {
        Problem = problem;
        FilePath = filePath;
        NodeName = nodeName;
        OpType = opType;
    }

    /// <summary>What is wrong, without the file and node context.</summary>
    public string Problem { get; }

    /// <summary>The model file, when the model came from one.</summary>
    public string? FilePath { get; }

    /// <summary>The node the problem was found at, when it concerns one node.</summary>
    public string? NodeName { get; }

    /// <summary>The ONNX op type of <see cref="NodeName"/>.</summary>
    public string? OpType { get; }

    /// <summary>The same error, attributed to <paramref name="filePath"/> if it names no file yet.</summary>
    public SparsifyModelException InFile(string? filePath) =>
        FilePath is not null || filePath is null ? this : new SparsifyModelException(Problem, filePath, NodeName, OpType, InnerException);

    /// <summary>The same error, attributed to a node if it names none yet.</summary>
    public SparsifyModelException AtNode(string? nodeName, string? opType) =>
        NodeName is not null || nodeName is null ? this : new SparsifyModelException(Problem, FilePath, nodeName, opType, InnerException);

    private static string Compose(string problem, string? filePath, string? nodeName, string? opType)
    {
        var text = new StringBuilder();
        if (filePath is not null)
        {
            text.Append(filePath).Append(": ");
        }

        if (nodeName is not null)
        {
            text.Append("node '").Append(nodeName).Append('\'');
            if (opType is not null)
            {
                text.Append(" (").Append(opType).Append(')');
            }

            text.Append(": ");
        }

        return text.Append(problem).ToString();
    }
}
