-- wrk script: POST the GraphQL assess query (3 findings of claudication). Used for the README figure:
--   legpain serve --workers 2 --port 8126 & wrk -t1 -c8 -d10s --latency -s bench/wrk-assess.lua http://127.0.0.1:8126/graphql
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"{ assess(symptoms: [\\"lp:CalfCrampingOnWalking\\", \\"lp:PainAfterPredictableDistance\\", \\"lp:ReliefWithinMinutesOfRest\\"]) { urgency { rank } candidates { rank score condition { id label } } } }"}'
