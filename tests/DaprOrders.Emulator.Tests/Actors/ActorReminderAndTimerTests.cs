using System.Net;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Actors;
using DaprOrders.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.Tests.Actors;

// daprd behaviour: wire notes sections 5.2-5.3 (reminder/timer bodies and formats, hosting rules, idle deactivation).
public sealed class ActorReminderAndTimerTests
{
    private const string RemindPath = "/actors/Cart/c-1/method/remind/nudge";

    [Fact]
    public async Task A_reminder_fires_on_the_virtual_clock_with_the_scheduler_body_and_stops_after_its_repetitions()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"]}""");

        var created = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/nudge",
            """{"dueTime":"0h0m3s0ms","period":"R2/PT10S","data":{"note":"pay","n":1.50}}""");
        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);

        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Empty(bed.App.RequestsTo("PUT", RemindPath));
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        var first = (await bed.App.WaitForAsync("PUT", RemindPath))[0];
        Assert.Equal("""{"data":{"note":"pay","n":1.50},"dueTime":"","period":""}""", first.BodyText);
        Assert.StartsWith("application/json", first.Header("content-type"), StringComparison.Ordinal);

        await bed.AdvanceAsync(TimeSpan.FromSeconds(10));
        await bed.App.WaitForAsync("PUT", RemindPath, count: 2);
        await ActorTestBed.EventuallyAsync(
            () => bed.Emulator.Services.GetService(typeof(ActorReminders)) is ActorReminders r && r.All().Count == 0,
            "the reminder is done after two repetitions");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, bed.App.RequestsTo("PUT", RemindPath).Count);
        var gone = await bed.SendAsync(HttpMethod.Get, "host", "/v1.0/actors/Cart/c-1/reminders/nudge");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Reminder_rules_non_hosted_overwrite_and_scheduler_periods()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"]}""");

        var nonHosted = await bed.PostAsync("client", "/v1.0/actors/Cart/c-1/reminders/r", """{"dueTime":"1m"}""");
        Assert.Equal(HttpStatusCode.Forbidden, nonHosted.StatusCode);
        Assert.Contains("ERR_ACTOR_REMINDER_NON_HOSTED", await nonHosted.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/r", """{"dueTime":"1m","period":"1h30m","data":"x"}""")).StatusCode);
        var exists = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/r", """{"dueTime":"1m","overwrite":false}""");
        Assert.Equal(HttpStatusCode.Conflict, exists.StatusCode);
        Assert.Contains("ERR_ACTOR_REMINDER_ALREADY_EXISTS", await exists.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var read = JsonNode.Parse(await bed.Http.GetStringAsync(bed.Url("host", "/v1.0/actors/Cart/c-1/reminders/r")))!;
        Assert.Equal("c-1", read["actorID"]!.GetValue<string>());
        Assert.Equal("1h30m", read["period"]!.GetValue<string>());
        Assert.Equal("x", read["data"]!.GetValue<string>());

        var days = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/daily", """{"period":"P1D"}""");
        Assert.Equal(HttpStatusCode.InternalServerError, days.StatusCode);
        Assert.Contains("ERR_ACTOR_REMINDER_CREATE", await days.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await bed.SendAsync(HttpMethod.Delete, "host", "/v1.0/actors/Cart/c-1/reminders/r")).StatusCode);
        await bed.AdvanceAsync(TimeSpan.FromHours(2));
        Assert.Empty(bed.App.RequestsTo("PUT", "/actors/Cart/c-1/method/remind/r"));
    }

    [Fact]
    public async Task X_DaprReminderCancel_from_the_app_cancels_a_periodic_reminder()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"]}""");
        bed.App.Handler = r => Task.FromResult(r.Path == RemindPath
            ? new TestResponse(200, "") { Headers = { ["X-DaprReminderCancel"] = "true" } }
            : new TestResponse(200, "\"ok\""));

        await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/nudge", """{"dueTime":"1s","period":"1s"}""");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        var fired = (await bed.App.WaitForAsync("PUT", RemindPath))[0];
        Assert.Equal("""{"dueTime":"","period":""}""", fired.BodyText);
        await ActorTestBed.EventuallyAsync(
            () => bed.Emulator.Services.GetService(typeof(ActorReminders)) is ActorReminders r && r.All().Count == 0,
            "the reminder is cancelled");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Single(bed.App.RequestsTo("PUT", RemindPath));
    }

    [Fact]
    public async Task Timers_fire_with_their_registration_and_die_with_idle_deactivation_while_reminders_survive()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"],"actorIdleTimeout":"1m"}""");
        const string timerPath = "/actors/Cart/c-1/method/timer/tick";

        var nonHosted = await bed.PostAsync("client", "/v1.0/actors/Cart/c-1/timers/tick", """{"dueTime":"1s"}""");
        Assert.Equal(HttpStatusCode.InternalServerError, nonHosted.StatusCode);
        Assert.Contains("ERR_ACTOR_TIMER_CREATE", await nonHosted.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/timers/tick",
            """{"dueTime":"0h0m1s0ms","period":"PT5M","callback":"onTick","data":"abc"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/later",
            """{"dueTime":"10m"}""")).StatusCode);

        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        var tick = (await bed.App.WaitForAsync("PUT", timerPath))[0];
        Assert.Equal("""{"callback":"onTick","data":"abc","dueTime":"0h0m1s0ms","period":"PT5M"}""", tick.BodyText);
        await ActorTestBed.EventuallyAsync(() => bed.Runtime.IsActive("host", "Cart", "c-1") && bed.Runtime.PendingTurns(new ActorAddress("host", "Cart", "c-1")) == 0, "timer turn done");

        // One idle minute after the timer's turn: DELETE /actors/Cart/c-1, and the timer is gone with the activation.
        await bed.AdvanceAsync(TimeSpan.FromSeconds(59));
        Assert.Empty(bed.App.RequestsTo("DELETE", "/actors/Cart/c-1"));
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        await bed.App.WaitForAsync("DELETE", "/actors/Cart/c-1");
        await ActorTestBed.EventuallyAsync(() => !bed.Runtime.IsActive("host", "Cart", "c-1"), "deactivated");
        Assert.False(bed.Runtime.HasTimer(new ActorAddress("host", "Cart", "c-1"), "tick"));

        await bed.AdvanceAsync(TimeSpan.FromMinutes(9));
        await bed.App.WaitForAsync("PUT", "/actors/Cart/c-1/method/remind/later");
        Assert.Single(bed.App.RequestsTo("PUT", timerPath));
        Assert.True(bed.Runtime.IsActive("host", "Cart", "c-1"));
    }

    [Fact]
    public async Task A_deleted_timer_never_fires_and_a_calendar_period_is_accepted_for_timers()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"]}""");

        Assert.Equal(HttpStatusCode.NoContent, (await bed.PostAsync("host", "/v1.0/actors/Cart/c-9/timers/daily",
            """{"dueTime":"PT1M","period":"P1D"}""")).StatusCode);
        Assert.True(bed.Runtime.HasTimer(new ActorAddress("host", "Cart", "c-9"), "daily"));
        Assert.Equal(HttpStatusCode.NoContent, (await bed.SendAsync(HttpMethod.Delete, "host", "/v1.0/actors/Cart/c-9/timers/daily")).StatusCode);

        Assert.False(bed.Runtime.HasTimer(new ActorAddress("host", "Cart", "c-9"), "daily"));
        await bed.AdvanceAsync(TimeSpan.FromDays(2));
        Assert.DoesNotContain(bed.App.Requests, r => r.Path.StartsWith("/actors/Cart/c-9/", StringComparison.Ordinal));
    }

    // dapr/dapr v1.17.13 pkg/actors/internal/scheduler/scheduler.go hands a period without dueTime to the Scheduler as
    // "@every <period>" with no due time; go-etcd-cron (as dapr v1.17.13 pins it) internal/scheduler/builder.go then
    // starts the job's clock now and repeats.go fires first at start + period.
    [Fact]
    public async Task A_periodic_reminder_without_dueTime_first_fires_one_period_after_it_was_created()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"]}""");

        Assert.Equal(HttpStatusCode.NoContent, (await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/nudge", """{"period":"10s"}""")).StatusCode);
        await bed.AdvanceAsync(TimeSpan.FromSeconds(9));
        Assert.Empty(bed.App.RequestsTo("PUT", RemindPath));

        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Single(bed.App.RequestsTo("PUT", RemindPath));
        await bed.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, bed.App.RequestsTo("PUT", RemindPath).Count);
    }

    // go-etcd-cron internal/scheduler/builder.go Parse (as dapr v1.17.13 pins it) refuses a job without a schedule that
    // has a ttl; internal/api/api.go wraps it as "job failed validation", dapr v1.17.13 pkg/scheduler/server/api.go
    // returns it as a gRPC error and daprd answers ERR_ACTOR_REMINDER_CREATE with it.
    [Fact]
    public async Task A_ttl_on_a_one_shot_reminder_is_refused_with_the_schedulers_error()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"]}""");

        var refused = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/once", """{"dueTime":"5s","ttl":"1m"}""");

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal("ERR_ACTOR_REMINDER_CREATE", error["errorCode"]!.GetValue<string>());
        Assert.Equal(
            "error creating actor reminder: rpc error: code = Unknown desc = job failed validation: job must have a schedule to have a ttl",
            error["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await bed.SendAsync(HttpMethod.Get, "host", "/v1.0/actors/Cart/c-1/reminders/once")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/bounded", """{"period":"5s","ttl":"1m"}""")).StatusCode);
    }

    // A reminder's job has no failure policy from daprd (dapr/dapr v1.17.13 pkg/actors/internal/scheduler/scheduler.go),
    // so go-etcd-cron's default applies (internal/scheduler/builder.go Parse: constant 1 s, 3 retries), with or
    // without an actor resiliency policy.
    [Fact]
    public async Task A_failed_fire_is_retried_three_times_a_second_apart_by_the_jobs_failure_policy()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"]}""");
        bed.App.Handler = r => Task.FromResult(r.Path == RemindPath ? new TestResponse(500, "down", "text/plain") : new TestResponse(200, "\"ok\""));

        await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/nudge", """{"dueTime":"2s"}""");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Single(bed.App.RequestsTo("PUT", RemindPath));
        for (var retry = 1; retry <= 3; retry++)
        {
            await bed.AdvanceAsync(TimeSpan.FromMilliseconds(999));
            Assert.Equal(retry, bed.App.RequestsTo("PUT", RemindPath).Count);
            await bed.AdvanceAsync(TimeSpan.FromMilliseconds(1));
            Assert.Equal(retry + 1, bed.App.RequestsTo("PUT", RemindPath).Count);
        }

        await bed.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4, bed.App.RequestsTo("PUT", RemindPath).Count);
        Assert.Empty(bed.Emulator.Services.GetRequiredService<ActorReminders>().All());
    }

    // dapr/dapr v1.17.13 pkg/actors/router/router.go CallReminder calls the actor without its retry and circuit breaker
    // (every error is permanent there); only the Scheduler's failure policy retries the fire.
    [Fact]
    public async Task A_reminder_fire_bypasses_the_actors_retry_policy_and_circuit_breaker()
    {
        const string resiliency = """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: actor-policies
            spec:
              policies:
                retries:
                  slowRetry:
                    policy: constant
                    duration: 5s
                    maxRetries: 10
                circuitBreakers:
                  tight:
                    trip: consecutiveFailures > 1
                    timeout: 1h
              targets:
                actors:
                  Cart:
                    retry: slowRetry
                    circuitBreaker: tight
            """;
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"]}""", resiliency);
        bed.App.Handler = r => Task.FromResult(r.Path == RemindPath ? new TestResponse(500, "down", "text/plain") : new TestResponse(200, "\"ok\""));

        await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/reminders/nudge", """{"dueTime":"1s"}""");
        for (var second = 0; second < 4; second++)
        {
            await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        // Four failed attempts one second apart (not the actor policy's 5 s), and the breaker that trips after two
        // consecutive failures never saw them: a method call still goes through.
        Assert.Equal(4, bed.App.RequestsTo("PUT", RemindPath).Count);
        var call = await bed.PostAsync("client", "/v1.0/actors/Cart/c-1/method/m", "{}");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
    }
}
