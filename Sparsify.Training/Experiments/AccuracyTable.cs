namespace Sparsify.Training.Experiments;

/// <summary>One scheme at one sparsity on LeNet-5 / MNIST: accuracy before and after masked fine-tuning.</summary>
/// <param name="Scheme">The scheme.</param>
/// <param name="Sparsity">The target over Conv and Gemm weights.</param>
/// <param name="AchievedSparsity">The sparsity reached (the first conv stays dense).</param>
/// <param name="OneShot">Test accuracy (%) right after pruning by magnitude.</param>
/// <param name="OneShotCalibrated">Test accuracy (%) right after data-aware pruning on training digits (no fine-tuning).</param>
/// <param name="FineTuned">Test accuracy (%) after masked fine-tuning.</param>
/// <param name="NonZeros">Weights kept.</param>
/// <param name="Bytes">Bytes of the model's Conv/Gemm weights in the scheme's format with 16-bit values (see <see cref="AccuracyExperiment.FormatOf"/>).</param>
/// <param name="Imbalance">Largest load imbalance over the PEs (max / mean nonzeros) among the pruned layers.</param>
/// <param name="Pattern">The N:M pattern of the nm rows (e.g. "2:4"), else null.</param>
public sealed record AccuracyRow(string Scheme, double Sparsity, double AchievedSparsity, double OneShot, double OneShotCalibrated, double FineTuned, long NonZeros, long Bytes, double Imbalance, string? Pattern);

/// <summary>The whole table: the dense baseline and one row per scheme and sparsity.</summary>
/// <param name="Dense">Test accuracy (%) of the dense model trained from scratch.</param>
/// <param name="Locality">Test accuracy (%) of the group-lasso model the locality rows start from.</param>
/// <param name="DenseBytes">Bytes of the dense Conv/Gemm weights at 16 bits.</param>
/// <param name="Rows">The rows.</param>
/// <param name="Setup">How the table was made, in words.</param>
public sealed record AccuracyTable(double Dense, double Locality, long DenseBytes, IReadOnlyList<AccuracyRow> Rows, IReadOnlyList<string> Setup);
