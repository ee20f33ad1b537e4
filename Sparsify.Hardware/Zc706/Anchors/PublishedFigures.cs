namespace Sparsify.Hardware.Zc706.Anchors;

/// <summary>Published ZC706 figures the model is held against.</summary>
public static class PublishedFigures
{
    /// <summary>Qiu et al., "Going Deeper with Embedded FPGA Platform for CNN" (FPGA 2016): VGG-16 convolutions, dense 16-bit, 780 DSP at 150 MHz.</summary>
    public const double Qiu2016Vgg16ConvGops = 187.8;

    /// <summary>Li et al. (FCCM 2017): sparse AlexNet, effective GOPS on the pruned model.</summary>
    public const double Li2017EffectiveGops = 71.2;

    /// <summary>Li et al. (FCCM 2017): the same run counted as dense operations.</summary>
    public const double Li2017DenseEquivalentGops = 271.6;

    /// <summary>Tolerance of the dense anchor: ±20%.</summary>
    public const double AnchorTolerance = 0.20;

    /// <summary>
    /// Zeros per layer of the SSL / SkimCaffe AlexNet the paper ran (conv1 dense): the fractions the
    /// paper case prunes to with the locality scheme.
    /// </summary>
    public static IReadOnlyDictionary<string, double> SslAlexNetSparsity { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["conv2"] = 0.856,
        ["conv3"] = 0.931,
        ["conv4"] = 0.918,
        ["conv5"] = 0.885,
        ["fc6"] = 0.903,
        ["fc7"] = 0.844,
        ["fc8"] = 0.738,
    };
}
