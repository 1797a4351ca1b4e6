namespace Veo.Sdk;

/// <summary>The state of a Veo long-running operation at one moment, as one poll returned it.</summary>
/// <param name="Name">The operation's name; also the token to re-attach to it.</param>
/// <param name="HasCompleted">Whether Veo reports the operation as done.</param>
/// <param name="Result">The outcome once <paramref name="HasCompleted"/> is true; otherwise <see langword="null"/>.</param>
/// <param name="SuggestedPollDelay">A delay Veo asked the client to wait before the next poll, if it named one.</param>
public sealed record VeoOperationStatus(string Name, bool HasCompleted, GenerateVideoResult? Result, TimeSpan? SuggestedPollDelay = null);
