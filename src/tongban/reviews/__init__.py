"""Reviews (好差评) of service events and their rectification (issue 9)."""
